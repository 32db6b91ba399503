import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import type { FunctionKey, FunctionSpec } from '../../functions/catalogue.ts';
import {
  actionsOf,
  asArray,
  cdkJson,
  flatten,
  fnProps,
  functionEntries,
  getAtt,
  type Json,
  logicalId,
  ofType,
  resources,
  roleId,
  type Statement,
  settings,
  smId,
  stack,
  statementsOf,
  statementsOn,
  synthesizeGovernanceStack,
  template,
} from './governance-template.ts';

// Each function's role, from the catalogue's access: per concern, then every action stated literally.
synthesizeGovernanceStack();

describe('least-privilege IAM from catalogue access', () => {
  const tokenKeyArn = () => getAtt(logicalId(stack.keys.taskToken));
  const linkKeyArn = () => getAtt(logicalId(stack.keys.linkMac));

  it.each(functionEntries)('%s: ses:* only with sendEmail, scoped to the identity and configuration set, from MAIL_FROM', (key, spec) => {
    const ses = statementsOf(roleId(key)).filter((s) => asArray(s.Action).some((a) => a.startsWith('ses:')));
    if (!spec.access.sendEmail) {
      expect(ses).toEqual([]);
      return;
    }
    expect(ses).toHaveLength(1);
    const [statement] = ses as [Statement];
    expect(asArray(statement.Action).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    expect(asArray(statement.Resource).map(flatten).sort()).toEqual([
      `arn:aws:ses:${stack.region}:<token>:configuration-set/<token>`,
      `arn:aws:ses:${stack.region}:<token>:identity/<token>`,
    ]);
    expect(statement.Condition).toEqual({ StringEquals: { 'ses:FromAddress': settings.mailFrom } });
  });

  it.each(functionEntries)('%s: states:StartExecution only with startExecution, on those state machines only', (key, spec) => {
    const starts = statementsOf(roleId(key)).filter((s) => asArray(s.Action).some((a) => a.startsWith('states:StartExecution')));
    const expected = (spec.access.startExecution ?? []).map(
      (machine) => `arn:aws:states:${stack.region}:<token>:stateMachine:${resources[smId(machine)]?.Properties.StateMachineName}`,
    );
    expect(starts.flatMap((s) => asArray(s.Resource).map(flatten)).sort()).toEqual(expected.sort());
  });

  it.each(functionEntries)('%s: task callbacks only with sendTaskResult, on those state machines only', (key, spec) => {
    const callbacks = statementsOf(roleId(key)).filter((s) => asArray(s.Action).some((a) => a.startsWith('states:SendTask')));
    const expected = (spec.access.sendTaskResult ?? []).map(
      (machine) => `arn:aws:states:${stack.region}:<token>:stateMachine:${resources[smId(machine)]?.Properties.StateMachineName}`,
    );
    expect(callbacks.flatMap((s) => asArray(s.Resource).map(flatten)).sort()).toEqual(expected.sort());
    if (expected.length) expect(callbacks.flatMap((s) => asArray(s.Action)).sort()).toEqual(['states:SendTaskSuccess']);
  });

  it.each(functionEntries)('%s: token key Encrypt only to issuers, Decrypt only to redeemers, MAC key only to issuers and My work', (key, spec) => {
    const role = roleId(key);
    const onToken = statementsOn(role, tokenKeyArn()).flatMap((s) => asArray(s.Action));
    const onLink = statementsOn(role, linkKeyArn()).flatMap((s) => asArray(s.Action));
    const env = fnProps(key).Environment.Variables as Json;
    switch (spec.access.linkKeys) {
      case 'issue':
        expect(onToken).toEqual(['kms:Encrypt']);
        expect(onLink).toEqual(['kms:GenerateMac']);
        expect(env.TOKEN_KMS_KEY_ID).toEqual(tokenKeyArn());
        expect(env.LINK_MAC_KEY_ID).toEqual(linkKeyArn());
        break;
      case 'derive':
        // My work rebuilds a signed-in approver's own link: the MAC key, and nothing on the token key.
        expect(onToken).toEqual([]);
        expect(onLink).toEqual(['kms:GenerateMac']);
        expect(env.LINK_MAC_KEY_ID).toEqual(linkKeyArn());
        break;
      case 'redeem':
        expect(onToken).toEqual(['kms:Decrypt']);
        expect(onLink).toEqual([]);
        expect(env.TOKEN_KMS_KEY_ID).toEqual(tokenKeyArn());
        expect(env.LINK_MAC_KEY_ID).toBeUndefined();
        break;
      default:
        expect(onToken).toEqual([]);
        expect(onLink).toEqual([]);
        expect(env.TOKEN_KMS_KEY_ID).toBeUndefined();
    }
    // Sealing binds every token to its approval id.
    for (const s of statementsOn(role, tokenKeyArn())) expect(s.Condition).toEqual({ Null: { 'kms:EncryptionContext:approvalId': 'false' } });
  });

  // Which functions may delete anything, stated by hand: the open markers of offboarding tasks and review pages, and parked directory events.
  const deleters = ['answerReview', 'completeOffboardingTask', 'manageCredential', 'manageDirectory', 'receiveHrEvent', 'trackOffboardingTasks', 'trackReview'];
  it.each(functionEntries)('%s: table actions are exactly its catalogue access, no scans, streams, PartiQL or service-wide wildcard', (key, spec) => {
    const actions = actionsOf(roleId(key));
    const dynamo = actions.filter((a) => a.startsWith('dynamodb:'));
    expect(dynamo.filter((a) => /Scan|DescribeTable|GetRecords|GetShardIterator|PartiQL|BatchWriteItem/.test(a))).toEqual([]);
    expect(dynamo.includes('dynamodb:DeleteItem')).toBe(deleters.includes(key));
    const writes = dynamo.filter((a) => /^dynamodb:(PutItem|UpdateItem|ConditionCheckItem)$/.test(a));
    if (spec.access.table?.includes('write')) expect(writes.sort()).toEqual(['dynamodb:ConditionCheckItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    else expect(writes).toEqual([]);
    if (spec.access.table) expect(dynamo).toEqual(expect.arrayContaining(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']));
    else expect(dynamo).toEqual([]);
    expect(actions.filter((a) => a === '*' || /^[a-z0-9-]+:\*$/.test(a))).toEqual([]);
  });

  it('the anonymous link handler (decideApproval) may write only REQ# items: the approvals and their request', () => {
    const allowed = statementsOf(roleId('decideApproval')).filter((s) => asArray(s.Action).some((a) => /^dynamodb:(PutItem|UpdateItem)$/.test(a)));
    expect(allowed).toHaveLength(1);
    // ConditionCheckItem only reads: it is in the read statement, keyed like every read.
    expect(asArray(allowed[0]?.Action).sort()).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(allowed[0]?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REQ#*'] } });
  });

  it('the bounce handler (SNS-invoked) may write only the items emails are about; every other writer names no keys', () => {
    const keyed: Record<string, unknown> = {
      decideApproval: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REQ#*'] } },
      recordMailBounce: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REQ#*', 'OFFBOARD#*', 'REVIEW#*', 'ACCOUNT#*'] } },
    };
    for (const [key, spec] of functionEntries.filter(([, spec]) => spec.access.table?.includes('write'))) {
      const writes = statementsOf(roleId(key)).filter((s) => asArray(s.Action).includes('dynamodb:PutItem'));
      expect({ key, conditions: writes.map((s) => s.Condition) }).toEqual({ key, conditions: [keyed[key]] });
      expect(spec.access.writeKeys === undefined).toBe(!(key in keyed));
    }
  });

  // The sign-in and the authorizer: Cognito's OAuth endpoints and JWKS are public HTTPS.
  const noAwsAccess = functionEntries.filter(([, spec]) => !Object.entries(spec.access).some(([what, granted]) => what !== 'userPool' && granted));
  it.each(noAwsAccess)('%s: may only write its own logs and traces', (key) => {
    const actions = actionsOf(roleId(key));
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => !/^(logs:(CreateLogStream|PutLogEvents)|xray:\w+)$/.test(a))).toEqual([]);
  });

  it('the task token and MAC keys are customer managed; the token key rotates and the MAC key is HMAC', () => {
    const token = resources[logicalId(stack.keys.taskToken)]?.Properties;
    const mac = resources[logicalId(stack.keys.linkMac)]?.Properties;
    expect(token?.EnableKeyRotation).toBe(true);
    expect(mac?.KeySpec).toBe('HMAC_256');
    expect(mac?.KeyUsage).toBe('GENERATE_VERIFY_MAC');
  });
});

describe('IAM actions, stated literally', () => {
  // Written by hand, not derived from the catalogue the stack reads: a catalogue or stack change that
  // grants a function one action more (or less) fails here until this table is changed with it.
  // The groups are what one CDK grant or one statement of the stack adds; where an action is granted
  // on two resources (kms:Decrypt on the table key and a link or credentials key), it counts once.
  // Which resource each action is on is checked by the per-concern tests above and below.
  const logsAndTraces = ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
  const tableRead = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'kms:Decrypt'];
  const tableReadWrite = [
    ...tableRead,
    'dynamodb:ConditionCheckItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'kms:Encrypt',
    'kms:GenerateDataKey*',
    'kms:ReEncrypt*',
  ];
  const tableDelete = ['dynamodb:DeleteItem'];
  const sendEmail = ['ses:SendEmail', 'ses:SendRawEmail'];
  // A task fails by its own output (a failed step), never by SendTaskFailure.
  const taskResult = ['states:SendTaskSuccess'];
  // Step Functions encrypts an execution's input and a task's result with the caller's use of the executions key.
  const executionData = ['kms:Decrypt', 'kms:GenerateDataKey'];
  const issueLinks = ['kms:Encrypt', 'kms:GenerateMac'];
  const redeemLinks = ['kms:Decrypt'];
  const hrQueue = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'];

  const expectedActions: Record<FunctionKey, readonly string[]> = {
    showMyWork: [...logsAndTraces, ...tableRead, 'kms:GenerateMac'],
    serveAsset: [...logsAndTraces],
    findPeople: [...logsAndTraces, ...tableRead],
    submitRequest: [...logsAndTraces, ...tableReadWrite, 'states:StartExecution', ...executionData],
    showRequest: [...logsAndTraces, ...tableRead],
    showRegistry: [...logsAndTraces, ...tableRead],
    decideApproval: [...logsAndTraces, ...tableReadWrite, ...taskResult, ...redeemLinks, ...executionData],
    signIn: [...logsAndTraces],
    // Cognito's Pre Token Generation trigger: it reads the person a sign-in names.
    checkSignIn: [...logsAndTraces, ...tableRead],
    authorizeRequest: [...logsAndTraces],
    requestApproval: [...logsAndTraces, ...tableReadWrite, ...sendEmail, ...taskResult, ...issueLinks, ...executionData],
    // records: 'write' adds nothing here: it lifts the RECORD# deny (checked in the records guard tests) for an approved departmental policy (R).
    // A new account's approval starts the capture of its first credential (credentialCapture).
    recordOutcome: [...logsAndTraces, ...tableReadWrite, ...sendEmail, 'states:StartExecution', ...executionData],
    // It finishes directory hand-overs a crash left undone: the moved links' emails, each link rebuilt from its MAC ('derive').
    reconcileStarts: [...logsAndTraces, ...tableReadWrite, 'states:StartExecution', ...sendEmail, 'kms:GenerateMac', ...executionData],
    requestPostingAuthority: [...logsAndTraces, ...tableReadWrite, 'states:StartExecution', ...executionData],
    // A directory event that takes a post from someone moves their open approvals at once: new links emailed ('derive').
    receiveHrEvent: [
      ...logsAndTraces,
      ...tableReadWrite,
      ...tableDelete,
      'states:StartExecution',
      ...hrQueue,
      ...sendEmail,
      'kms:GenerateMac',
      ...executionData,
    ],
    openOffboarding: [...logsAndTraces, ...tableReadWrite, ...taskResult, ...executionData],
    // A separation moves the person's open approvals to whoever holds their post now ('derive').
    planOffboarding: [...logsAndTraces, ...tableReadWrite, ...sendEmail, 'kms:GenerateMac'],
    offboardAccount: [
      ...logsAndTraces,
      ...tableReadWrite,
      ...sendEmail,
      ...issueLinks,
      'secretsmanager:CreateSecret',
      'secretsmanager:DescribeSecret',
      'secretsmanager:PutSecretValue',
      'kms:GenerateDataKey',
      'kms:Decrypt',
    ],
    trackOffboardingTasks: [...logsAndTraces, ...tableReadWrite, ...tableDelete, ...sendEmail, ...issueLinks, ...taskResult, ...executionData],
    reportOffboarding: [...logsAndTraces, ...tableReadWrite, ...sendEmail],
    managePlatforms: [...logsAndTraces, ...tableReadWrite],
    // Its failed yearly runs go to their on-failure queue (schedules.ts).
    startReview: [...logsAndTraces, ...tableRead, 'states:StartExecution', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage', ...executionData],
    showReview: [...logsAndTraces, ...tableRead],
    answerReview: [...logsAndTraces, ...tableReadWrite, ...tableDelete, ...sendEmail, ...redeemLinks, ...taskResult, ...executionData],
    openReview: [...logsAndTraces, ...tableReadWrite, ...sendEmail],
    prepareDepartmentReview: [...logsAndTraces, ...tableReadWrite, ...sendEmail],
    trackReview: [...logsAndTraces, ...tableReadWrite, ...tableDelete, ...sendEmail, ...issueLinks, ...taskResult, ...executionData],
    reportReview: [...logsAndTraces, ...tableReadWrite, ...sendEmail],
    completeOffboardingTask: [
      ...logsAndTraces,
      ...tableReadWrite,
      ...tableDelete,
      ...redeemLinks,
      ...taskResult,
      ...executionData,
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:UpdateSecretVersionStage',
    ],
    showOffboarding: [...logsAndTraces, ...tableRead],
    requestPostRemoval: [...logsAndTraces, ...tableReadWrite, 'states:StartExecution', ...executionData],
    recordPostEdit: [...logsAndTraces, ...tableReadWrite],
    recordModeration: [...logsAndTraces, ...tableReadWrite],
    showGuidelines: [...logsAndTraces],
    answerUnknownRoute: [...logsAndTraces],
    exportRecords: [...logsAndTraces, ...tableRead],
    requestDepartmentPolicy: [...logsAndTraces, ...tableReadWrite, 'states:StartExecution', ...executionData],
    requestException: [...logsAndTraces, ...tableReadWrite, 'states:StartExecution', ...executionData],
    lapseException: [...logsAndTraces, ...tableReadWrite, ...sendEmail, ...taskResult, ...executionData],
    requestWebsiteDisplay: [...logsAndTraces, ...tableReadWrite, 'states:StartExecution', ...executionData],
    proposePlatform: [...logsAndTraces, ...tableReadWrite, 'states:StartExecution', ...executionData],
    // DTI's changes are directory events: the open work of whoever leaves a post moves, new links emailed ('derive').
    manageDirectory: [...logsAndTraces, ...tableReadWrite, ...tableDelete, ...sendEmail, 'kms:GenerateMac'],
    // The credential page: a view by DTI or the Coordinator reads the current version; an admin stages, and promotes on confirmation;
    // the confirmation that settles a new account's capture task opens its sealed token and resumes the execution.
    manageCredential: [
      ...logsAndTraces,
      ...tableReadWrite,
      ...tableDelete,
      ...sendEmail,
      ...redeemLinks,
      ...taskResult,
      ...executionData,
      'secretsmanager:CreateSecret',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecretVersionStage',
      'kms:GenerateDataKey',
    ],
    requestRetirement: [...logsAndTraces, ...tableReadWrite, 'states:StartExecution', ...executionData],
    // SES bounces and complaints by SNS: it records them, escalates a bounced approver's step with a new link ('derive'), tells DTI,
    // and keeps a notification it could not handle, after Lambda's retries, in its alarmed queue.
    recordMailBounce: [...logsAndTraces, ...tableReadWrite, ...sendEmail, 'kms:GenerateMac', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
  };
  const distinctSorted = (actions: readonly string[]) => [...new Set(actions)].sort();

  it('has a row for every catalogue function and no other', () => {
    expect(Object.keys(expectedActions).sort()).toEqual(functionEntries.map(([key]) => key).sort());
  });

  it.each(Object.entries(expectedActions) as [FunctionKey, readonly string[]][])('%s: its role allows exactly the actions listed', (key, expected) => {
    expect(distinctSorted(actionsOf(roleId(key)))).toEqual(distinctSorted(expected));
  });
});

describe('credentials vault', () => {
  const credentialsKeyId = () => logicalId(stack.vault?.key as IConstruct);
  const secretsArn = `arn:aws:secretsmanager:${cdkJson.context.region}:<token>:secret:social-media/*`;
  type Verb = 'stage' | 'reveal' | 'promote';
  const verbsOf = (spec: FunctionSpec): Verb[] => [...(spec.access.vault ?? [])];
  const SECRET_ACTIONS: Record<Verb, string[]> = {
    stage: ['secretsmanager:CreateSecret', 'secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue'],
    reveal: ['secretsmanager:GetSecretValue'],
    promote: ['secretsmanager:DescribeSecret', 'secretsmanager:UpdateSecretVersionStage'],
  };
  const KEY_ACTIONS: Record<Verb, string[]> = { stage: ['kms:Decrypt', 'kms:GenerateDataKey'], reveal: ['kms:Decrypt'], promote: [] };
  const union = (lists: string[][]) => [...new Set(lists.flat())].sort();
  const secretStatements = (key: FunctionKey) => statementsOf(roleId(key)).filter((s) => asArray(s.Action).some((a) => a.startsWith('secretsmanager:')));

  it('the credentials key is customer managed, rotates, is retained and has its alias', () => {
    const key = resources[credentialsKeyId()] as Json;
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/social-media-credentials', TargetKeyId: getAtt(credentialsKeyId()) });
  });

  it.each(functionEntries)('%s: secretsmanager actions exactly for its vault verbs, on the prefix only', (key, spec) => {
    const statements = secretStatements(key);
    expect(union(statements.map((s) => asArray(s.Action)))).toEqual(union(verbsOf(spec).map((v) => SECRET_ACTIONS[v])));
    for (const s of statements) expect(asArray(s.Resource).map(flatten)).toEqual([secretsArn]);
  });

  it.each(functionEntries)('%s: CreateSecret only with the credentials key named in the request', (key) => {
    for (const s of secretStatements(key).filter((st) => asArray(st.Action).includes('secretsmanager:CreateSecret'))) {
      expect(asArray(s.Action)).toEqual(['secretsmanager:CreateSecret']);
      expect(s.Condition).toEqual({ ArnEquals: { 'secretsmanager:KmsKeyArn': getAtt(credentialsKeyId()) } });
    }
  });

  it.each(functionEntries)('%s: the credentials key only through Secrets Manager, for the prefix\u2019s secrets, as its verbs need', (key, spec) => {
    const onKey = statementsOn(roleId(key), getAtt(credentialsKeyId()));
    expect(union(onKey.map((s) => asArray(s.Action)))).toEqual(union(verbsOf(spec).map((v) => KEY_ACTIONS[v])));
    for (const s of onKey) {
      expect(s.Condition?.StringEquals).toEqual({ 'kms:ViaService': `secretsmanager.${cdkJson.context.region}.amazonaws.com` });
      expect(flatten(s.Condition?.StringLike?.['kms:EncryptionContext:SecretARN'])).toBe(secretsArn);
    }
    const env = fnProps(key).Environment.Variables as Json;
    if (verbsOf(spec).length) {
      expect(env.VAULT_KMS_KEY_ID).toEqual(getAtt(credentialsKeyId()));
      expect(env.VAULT_SECRET_PREFIX).toBe('social-media/');
    } else {
      expect(env.VAULT_KMS_KEY_ID).toBeUndefined();
      expect(env.VAULT_SECRET_PREFIX).toBeUndefined();
    }
  });

  it('completeOffboardingTask reveals and promotes but cannot write; offboardAccount stages but cannot read; manageCredential (the view, O.b) is the only other reader; nobody else touches secrets', () => {
    const complete = actionsOf(roleId('completeOffboardingTask'));
    expect(complete).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue', 'secretsmanager:UpdateSecretVersionStage']));
    expect(complete).not.toContain('secretsmanager:PutSecretValue');
    expect(complete).not.toContain('secretsmanager:CreateSecret');
    const offboard = actionsOf(roleId('offboardAccount'));
    expect(offboard).toEqual(expect.arrayContaining(['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue']));
    expect(offboard).not.toContain('secretsmanager:GetSecretValue');
    expect(offboard).not.toContain('secretsmanager:UpdateSecretVersionStage');
    // The credential page's function (O.b): the only one besides the rotation task that reads a password.
    const manage = actionsOf(roleId('manageCredential'));
    expect(manage).toEqual(
      expect.arrayContaining(['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage']),
    );
    const readers = functionEntries.filter(([key]) => actionsOf(roleId(key)).includes('secretsmanager:GetSecretValue')).map(([key]) => key);
    expect(readers.sort()).toEqual(['completeOffboardingTask', 'manageCredential']);
    const others = functionEntries.filter(([key]) => key !== 'completeOffboardingTask' && key !== 'offboardAccount' && key !== 'manageCredential');
    for (const [key] of others)
      expect(
        actionsOf(roleId(key)).filter((a) => a.startsWith('secretsmanager:')),
        key,
      ).toEqual([]);
  });

  it('no role other than the vault functions\u2019 may use the credentials key', () => {
    const vaultRoles = functionEntries.filter(([, spec]) => spec.access.vault?.length).map(([key]) => roleId(key));
    const users = ofType('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes(credentialsKeyId()))
      .flatMap(([, p]) => asArray<Json>(p.Properties.Roles).map((r) => r.Ref as string));
    expect(users.sort()).toEqual(vaultRoles.sort());
  });
});
