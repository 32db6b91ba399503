import { Annotations, Aspects, Duration, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  ProviderAttribute,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolEmail,
  UserPoolIdentityProviderOidc,
  UserPoolIdentityProviderSaml,
  UserPoolIdentityProviderSamlMetadata,
  UserPoolOperation,
} from 'aws-cdk-lib/aws-cognito';
import { type IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct, type IConstruct } from 'constructs';
import { type FunctionKey, type FunctionSpec, functions } from '../../functions/catalogue.ts';
import type { Mail } from './mail.ts';
import { stackOutput } from './outputs.ts';
import { authDomainPrefixProblems, defaultAuthDomainPrefix, type IdentityProviderSettings } from './settings.ts';

export interface SignInProps {
  /** Where the sign-in function is reached: its callback and signed-out pages are under it. */
  publicBaseUrl: string;
  /** Further callback URLs (authCallbackUrls). */
  authCallbackUrls?: string[];
  /** The managed sign-in pages' prefix domain; default: from the stack name. */
  authDomainPrefix?: string;
  /** The City's identity provider; without one, the pool's own users sign in (Cognito). */
  identityProvider?: IdentityProviderSettings;
  /** First DTI administrators (FIRST_ADMIN_EMAILS of the sign-in functions and the trigger). */
  firstAdminEmails?: string[];
  /** The workflows' SES identity and configuration set: the pool's emails go through them once the identity is verified. */
  mail?: Mail;
  /** The SES identity is verified and out of the sandbox (settings.mailIdentityVerified); without it, Cognito's own email. */
  mailIdentityVerified?: boolean;
}

/** The sender's name on the pool's invitations and codes, beside mailFrom. */
export const POOL_EMAIL_FROM_NAME = 'City of Albuquerque Social Media Governance';

/** The standard claim types Entra ID and ADFS send in a SAML assertion. */
const SAML_EMAIL_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
const SAML_NAME_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name';

/** The catalogue function the pool runs before it issues tokens (`cognitoTrigger`), if any. */
function preTokenGenerationKey(): FunctionKey | undefined {
  const keys = (Object.entries(functions) as [FunctionKey, FunctionSpec][]).filter(([, spec]) => spec.cognitoTrigger === 'preTokenGeneration');
  if (keys.length > 1) throw new Error(`The catalogue marks ${keys.map(([key]) => key).join(', ')} as the Pre Token Generation trigger: the pool has one.`);
  const [entry] = keys;
  // The pool names the trigger's ARN; a trigger whose environment named the pool would make each wait for the other.
  if (entry?.[1].access.userPool) throw new Error(`${entry[0]} is a Cognito trigger: it cannot have access.userPool (a circular dependency).`);
  return entry?.[0];
}

/**
 * City employees sign in here, in the browser, through the managed login pages (the sign-in
 * function runs the authorization code flow with PKCE). With an identity provider in the settings
 * (SAML or OIDC: Entra ID, ADFS), the pool federates with it and the app client offers only it:
 * City staff sign in with their City accounts, and MFA is the IdP's. Without one, the pool's own
 * users sign in (COGNITO). Either way the catalogue's Pre Token Generation trigger (check-sign-in.ts)
 * runs before any tokens are issued and refuses anyone the directory does not let in.
 */
export class SignIn extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  /** The managed sign-in pages (OAuth 2.0 endpoints). */
  readonly domainUrl: string;
  /** The federated identity provider's name in the pool, when there is one. */
  readonly identityProviderName?: string;
  private readonly firstAdminEmails: readonly string[];
  private triggerAttached = false;

  constructor(scope: Construct, id: string, props: SignInProps) {
    super(scope, id);
    this.firstAdminEmails = props.firstAdminEmails ?? [];
    const mail = props.mailIdentityVerified ? props.mail : undefined;
    if (props.mailIdentityVerified && !mail)
      throw new Error('mailIdentityVerified is set, but SignIn was given no Mail (its SES identity and configuration set).');
    if (!mail && !props.identityProvider) {
      Annotations.of(this).addWarningV2(
        'governance:userPoolDefaultEmail',
        'The user pool sends its invitations and codes with Cognito\u2019s own email (50 a day, from no-reply@verificationemail.com). Once the SES identity is verified and out of the sandbox, deploy with -c mailIdentityVerified=true.',
      );
    }
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      // MFA required, authenticator app (TOTP) only: no SMS (cost, SIM-swap risk, no SNS role).
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Invitations and codes from the City's address through SES (EmailSendingAccount DEVELOPER):
      // Cognito sends with its service-linked role (AWSServiceRoleForAmazonCognitoIdpEmailService),
      // so the identity needs no sending authorization policy, and through the workflows'
      // configuration set (TLS required, suppression list, bounces to the mail-event functions,
      // which log Cognito's untagged ones as ignored).
      ...(mail && {
        email: UserPoolEmail.withSES({
          fromEmail: mail.mailFrom,
          fromName: POOL_EMAIL_FROM_NAME,
          sesRegion: Stack.of(this).region,
          sesVerifiedDomain: mail.mailDomain,
          configurationSetName: mail.configurationSet.configurationSetName,
        }),
      }),
      // Plus plan: threat protection (compromised-credential and risky sign-in detection) enforced.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // SourceArn names the identity by its domain, not by reference: CloudFormation must create the
    // identity first (Cognito refuses an identity it cannot find or that is unverified).
    if (mail) this.userPool.node.addDependency(mail.identity);
    const provider = props.identityProvider && this.federate(props.identityProvider);
    // The name as configured (the provider's own `providerName` is a Ref): the template says which IdP.
    this.identityProviderName = props.identityProvider?.name;
    this.client = new UserPoolClient(this, 'UserPoolClient', {
      userPool: this.userPool,
      generateSecret: false,
      // No direct (SDK) sign-in flows: the managed login's authorization code flow only.
      authFlows: { userSrp: false },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${props.publicBaseUrl}/auth/callback`, ...(props.authCallbackUrls ?? [])],
        logoutUrls: [`${props.publicBaseUrl}/auth/signed-out`],
      },
      // With the City's IdP, only it: no second way in with a pool password.
      supportedIdentityProviders: [
        this.identityProviderName ? UserPoolClientIdentityProvider.custom(this.identityProviderName) : UserPoolClientIdentityProvider.COGNITO,
      ],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // The session cookie holds the ID token and never outlives it: one hour.
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    // CloudFormation must create the provider before a client that lists it (by name, which it cannot follow).
    if (provider) this.client.node.addDependency(provider);
    // Managed sign-in pages (the OAuth 2.0 endpoints) on a Cognito prefix domain.
    const domainPrefix = props.authDomainPrefix ?? defaultAuthDomainPrefix(Stack.of(this).stackName);
    const prefixProblems = authDomainPrefixProblems(domainPrefix);
    if (prefixProblems.length) throw new Error(`${prefixProblems.join('; ')} (derived from the stack name: set -c authDomainPrefix=<prefix>).`);
    this.domainUrl = this.userPool.addDomain('SignInDomain', { cognitoDomain: { domainPrefix } }).baseUrl();

    stackOutput(this, 'SignInBaseUrl', { value: this.domainUrl, description: 'Cognito managed sign-in (OAuth 2.0 endpoints)' });
    stackOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    stackOutput(this, 'UserPoolClientId', { value: this.client.userPoolClientId });

    // The trigger is a catalogue function, made with the others after this construct (the sign-in
    // functions' environment names this pool); it is attached once the stack is complete.
    const trigger = preTokenGenerationKey();
    if (trigger) {
      Aspects.of(this).add({
        visit: (node: IConstruct) => {
          if (node === this) this.attachCatalogueTrigger(trigger);
        },
      });
    }
  }

  /** What a function with `access.userPool` reads: no IAM permission (the endpoints and the JWKS are public HTTPS). */
  get environment(): Record<string, string> {
    return {
      USER_POOL_ID: this.userPool.userPoolId,
      USER_POOL_CLIENT_ID: this.client.userPoolClientId,
      AUTH_DOMAIN_URL: this.domainUrl,
      ...this.firstAdminEnvironment(),
    };
  }

  /**
   * Runs `fn` before the pool issues tokens for any sign-in (federated ones included; Pre
   * Authentication does not run on a federated user's first sign-in): the pool alone may invoke it
   * (a Lambda permission for cognito-idp.amazonaws.com with the pool as source ARN).
   */
  addPreTokenGenerationTrigger(fn: IFunction): void {
    this.userPool.addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION, fn);
    if (fn instanceof LambdaFunction) for (const [name, value] of Object.entries(this.firstAdminEnvironment())) fn.addEnvironment(name, value);
    this.triggerAttached = true;
  }

  private firstAdminEnvironment(): Record<string, string> {
    return this.firstAdminEmails.length ? { FIRST_ADMIN_EMAILS: this.firstAdminEmails.join(',') } : {};
  }

  /** The catalogue's trigger, as the stack made it (GovernanceStack.functions). */
  private attachCatalogueTrigger(key: FunctionKey): void {
    if (this.triggerAttached) return;
    const made = (Stack.of(this) as Stack & { functions?: Partial<Record<FunctionKey, IFunction>> }).functions?.[key];
    if (!made) throw new Error(`The catalogue's sign-in trigger ${key} has no Lambda function in this stack.`);
    this.addPreTokenGenerationTrigger(made);
  }

  /** The City's identity provider in the pool, its email (and name) mapped to the pool's attributes. */
  private federate(idp: IdentityProviderSettings): UserPoolIdentityProviderSaml | UserPoolIdentityProviderOidc {
    if (idp.protocol === 'SAML') {
      return new UserPoolIdentityProviderSaml(this, 'SamlIdentityProvider', {
        userPool: this.userPool,
        name: idp.name,
        metadata: UserPoolIdentityProviderSamlMetadata.url(idp.metadataUrl),
        attributeMapping: { email: ProviderAttribute.other(SAML_EMAIL_CLAIM), fullname: ProviderAttribute.other(SAML_NAME_CLAIM) },
      });
    }
    return new UserPoolIdentityProviderOidc(this, 'OidcIdentityProvider', {
      userPool: this.userPool,
      name: idp.name,
      issuerUrl: idp.issuerUrl,
      clientId: idp.clientId,
      // A CloudFormation dynamic reference ({{resolve:secretsmanager:…}}): the secret is read at
      // deploy time and appears in neither the context nor the template.
      clientSecret: SecretValue.secretsManager(idp.clientSecretName).unsafeUnwrap(),
      scopes: ['openid', 'email', 'profile'],
      attributeMapping: { email: ProviderAttribute.other('email'), fullname: ProviderAttribute.other('name') },
    });
  }
}
