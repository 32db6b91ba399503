import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { stackOutput } from './outputs.ts';
import { authDomainPrefixProblems, defaultAuthDomainPrefix } from './settings.ts';

export interface SignInProps {
  /** Where the sign-in function is reached: its callback and signed-out pages are under it. */
  publicBaseUrl: string;
  /** Further callback URLs (authCallbackUrls). */
  authCallbackUrls?: string[];
  /** The managed sign-in pages' prefix domain; default: from the stack name. */
  authDomainPrefix?: string;
}

/**
 * City employees sign in here, in the browser, through the managed login pages (the sign-in
 * function runs the authorization code flow with PKCE). The City can federate this pool with its
 * own identity provider (Entra ID / ADFS) by adding a UserPoolIdentityProviderOidc or
 * UserPoolIdentityProviderSaml and listing it in the client's supportedIdentityProviders; MFA is
 * then the IdP's.
 */
export class SignIn extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  /** The managed sign-in pages (OAuth 2.0 endpoints). */
  readonly domainUrl: string;

  constructor(scope: Construct, id: string, props: SignInProps) {
    super(scope, id);
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
      // Plus plan: threat protection (compromised-credential and risky sign-in detection) enforced.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
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
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // The session cookie holds the ID token and never outlives it: one hour.
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    // Managed sign-in pages (the OAuth 2.0 endpoints) on a Cognito prefix domain.
    const domainPrefix = props.authDomainPrefix ?? defaultAuthDomainPrefix(Stack.of(this).stackName);
    const prefixProblems = authDomainPrefixProblems(domainPrefix);
    if (prefixProblems.length) throw new Error(`${prefixProblems.join('; ')} (derived from the stack name: set -c authDomainPrefix=<prefix>).`);
    this.domainUrl = this.userPool.addDomain('SignInDomain', { cognitoDomain: { domainPrefix } }).baseUrl();

    stackOutput(this, 'SignInBaseUrl', { value: this.domainUrl, description: 'Cognito managed sign-in (OAuth 2.0 endpoints)' });
    stackOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    stackOutput(this, 'UserPoolClientId', { value: this.client.userPoolClientId });
  }

  /** What a function with `access.userPool` reads: no IAM permission (the endpoints and the JWKS are public HTTPS). */
  get environment(): Record<string, string> {
    return { USER_POOL_ID: this.userPool.userPoolId, USER_POOL_CLIENT_ID: this.client.userPoolClientId, AUTH_DOMAIN_URL: this.domainUrl };
  }
}
