/**
 * The CloudFormation templates, validated offline against AWS's resource schemas
 * (@aws-cdk/aws-service-spec, see lib/cfn-validate.ts), plus the security properties the delivery
 * promises, the user-data script through shellcheck, the CloudFront Function run for real in a VM
 * context, and the CloudFront headers compared with server/src/headers.js.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { SECURITY_HEADERS, STRICT_TRANSPORT_SECURITY } from '../server/src/headers.js';
import { REPO_ROOT } from './image/runtime-deps';
import { parseCfnYaml, type Json } from '../testkit/deploy/cfn-yaml';
import { validateTemplate } from '../testkit/deploy/cfn-validate';

const DIR = join(REPO_ROOT, 'deploy', 'cloudformation');
const load = (name: string): Record<string, Json> => parseCfnYaml(readFileSync(join(DIR, name), 'utf8'), name);
const clone = <T>(v: T): T => structuredClone(v);

type Obj = { [k: string]: Json };
const obj = (v: Json | undefined): Obj => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`not a mapping: ${JSON.stringify(v)}`);
  return v;
};
const res = (t: Record<string, Json>, name: string): Obj => obj(obj(obj(t.Resources)[name]).Properties);

describe('CloudFormation templates match AWS resource schemas', () => {
  it.each(['app-ec2.yaml', 'cdn.yaml'])('%s validates', (name) => {
    expect(validateTemplate(load(name))).toEqual([]);
  }, 30_000);

  it('the validator reports real mistakes (it is live)', () => {
    const t = clone(load('app-ec2.yaml'));
    const sg = res(t, 'WebSecurityGroup');
    sg.GroupDescriptionn = sg.GroupDescription!;
    delete sg.GroupDescription;
    obj(obj(t.Resources).Repository).Type = 'AWS::ECR::Repo';
    res(t, 'InstanceProfile').Roles = { Ref: 'NoSuchRole' };
    obj(obj(t.Outputs).DeployRoleArn).Value = { 'Fn::GetAtt': ['DeployRole', 'Arnn'] };
    res(t, 'LaunchTemplate').LaunchTemplateData = { MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 'one' } };
    const problems = validateTemplate(t);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Resources\.WebSecurityGroup\.Properties: unknown property GroupDescriptionn/),
        'Resources.WebSecurityGroup.Properties: missing required property GroupDescription',
        'Resources.Repository: unknown resource type AWS::ECR::Repo',
        'Resources.InstanceProfile.Properties.Roles: Ref to unknown NoSuchRole',
        'Outputs.DeployRoleArn.Value: AWS::IAM::Role has no attribute Arnn (has: Arn, RoleId)',
        'Resources.LaunchTemplate.Properties.LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit: expected a number, got "one"',
      ]),
    );
    const sub = clone(load('cdn.yaml'));
    res(sub, 'SiteBucketPolicy').PolicyDocument = { 'Fn::Sub': '${Nope.Arn}' };
    expect(validateTemplate(sub)).toContain('Resources.SiteBucketPolicy.Properties.PolicyDocument: Fn::Sub references unknown ${Nope.Arn}');
  }, 30_000);
});

describe('app-ec2.yaml: the EC2 path', () => {
  const t = load('app-ec2.yaml');

  it('admits only 80 and 443 (no SSH: shell access is SSM Session Manager)', () => {
    const ingress = res(t, 'WebSecurityGroup').SecurityGroupIngress as Obj[];
    expect([...new Set(ingress.map((r) => `${r.FromPort}-${r.ToPort}/${r.IpProtocol}`))].sort()).toEqual(['443-443/tcp', '80-80/tcp']);
    const allSgs = Object.values(obj(t.Resources)).filter((r) => obj(r).Type === 'AWS::EC2::SecurityGroupIngress');
    expect(allSgs).toEqual([]);
  });

  it('lets only this repository and environment assume the deploy role, through OIDC', () => {
    const trust = obj(res(t, 'DeployRole').AssumeRolePolicyDocument);
    const [stmt] = trust.Statement as Obj[];
    expect(stmt!.Action).toBe('sts:AssumeRoleWithWebIdentity');
    const eq = obj(obj(stmt!.Condition).StringEquals);
    expect(eq['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
    expect(eq['token.actions.githubusercontent.com:sub']).toEqual({ 'Fn::Sub': 'repo:${GitHubRepository}:environment:${GitHubEnvironment}' });
    expect(res(t, 'GitHubOidcProvider').Url).toBe('https://token.actions.githubusercontent.com');
  });

  it('gives the deploy role only push to its repository and SSM commands to its instance', () => {
    const [policy] = res(t, 'DeployRole').Policies as Obj[];
    const stmts = obj(policy!.PolicyDocument).Statement as Obj[];
    const actions = stmts.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])) as string[];
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    expect(actions.sort()).toEqual(
      ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:CompleteLayerUpload', 'ecr:GetDownloadUrlForLayer', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart', 'ssm:SendCommand', 'ssm:GetCommandInvocation', 'ssm:ListCommandInvocations'].sort(),
    );
    // Wildcard resources only for the APIs that have no resource-level permissions.
    const star = stmts.filter((s) => s.Resource === '*').flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(star.sort()).toEqual(['ecr:GetAuthorizationToken', 'ssm:GetCommandInvocation', 'ssm:ListCommandInvocations']);
    const send = stmts.find((s) => s.Action === 'ssm:SendCommand')!;
    expect(JSON.stringify(send.Resource)).toContain('instance/${Instance}');
    expect(JSON.stringify(send.Resource)).toContain('document/AWS-RunShellScript');
  });

  it('gives the instance SSM core and read-only ECR on its repository', () => {
    const role = res(t, 'InstanceRole');
    expect(role.ManagedPolicyArns).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore' }]);
    const stmts = obj(obj((role.Policies as Obj[])[0]).PolicyDocument).Statement as Obj[];
    const actions = stmts.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])) as string[];
    expect(actions.every((a) => ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'].includes(a))).toBe(true);
  });

  it('requires IMDSv2 with hop limit 1 and encrypts the root volume', () => {
    const data = obj(res(t, 'LaunchTemplate').LaunchTemplateData);
    expect(data.MetadataOptions).toEqual({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
    expect(obj(obj((data.BlockDeviceMappings as Obj[])[0]).Ebs).Encrypted).toBe(true);
  });

  it('has an ECR lifecycle policy that is valid JSON with both rules', () => {
    const text = obj(res(t, 'Repository').LifecyclePolicy).LifecyclePolicyText as Obj;
    const json = JSON.parse(String(text['Fn::Sub']).replaceAll('${KeepImages}', '20')) as { rules: Array<{ rulePriority: number; selection: Obj }> };
    expect(json.rules.map((r) => r.rulePriority)).toEqual([1, 2]);
    expect(json.rules[1]!.selection).toMatchObject({ countType: 'imageCountMoreThan', countNumber: 20 });
  });

  describe('user-data', () => {
    const script = String(obj(obj(res(t, 'Instance').UserData)['Fn::Base64'])['Fn::Sub']);
    // What CloudFormation's Fn::Sub renders, with sample parameter values.
    const rendered = script.replace(/\$\{([^}!]+)\}/g, (_, name: string) =>
      ({ 'AWS::StackName': 'respidetect', 'AWS::Region': 'eu-west-1', DomainName: 'app.example.org', NginxConfigUrl: 'https://example.org/nginx.conf' })[name] ?? `UNRESOLVED_${name}`,
    );

    it('substitutes only known names', () => {
      expect(rendered).not.toMatch(/UNRESOLVED_/);
    });

    it('installs Docker, nginx, the SSM agent and our nginx.conf', () => {
      for (const needed of ['docker.io', 'nginx', 'amazon-ssm-agent', 'aws-cli', '/etc/nginx/nginx.conf', 'nginx -t']) {
        expect(rendered).toContain(needed);
      }
    });

    it('does not install the brotli_static module, whose .br path code is broken (ngx_brotli #123, #134)', () => {
      expect(rendered).not.toContain('libnginx-mod-http-brotli');
    });

    it('rewrites server_name lines that really are in server/nginx.conf', () => {
      const conf = readFileSync(join(REPO_ROOT, 'server', 'nginx.conf'), 'utf8');
      expect(rendered).toContain('sed -i "s/server_name respidetect\\.example\\.com;/server_name app.example.org;/; s/server_name static\\.respidetect\\.example\\.com;/server_name static.app.example.org;/" /tmp/nginx.conf');
      expect(conf).toMatch(/^\s*server_name respidetect\.example\.com;/m);
      expect(conf).toMatch(/^\s*server_name static\.respidetect\.example\.com;/m);
      // The certificate paths user-data creates are the ones nginx.conf reads.
      expect(conf).toContain('ssl_certificate /etc/ssl/respidetect/fullchain.pem;');
      expect(conf).toContain('ssl_certificate_key /etc/ssl/respidetect/privkey.pem;');
    });

    const shellcheck = ['/usr/bin/shellcheck', '/usr/local/bin/shellcheck'].find((p) => existsSync(p));
    const required = process.env.CI === 'true';
    it.skipIf(!shellcheck && !required)(shellcheck || required ? 'passes shellcheck' : 'passes shellcheck (SKIPPED: apt-get install shellcheck)', () => {
      expect(shellcheck, 'shellcheck is required under CI=true').toBeDefined();
      const run = spawnSync(shellcheck!, ['--shell=bash', '-'], { input: rendered, encoding: 'utf8' });
      expect(run.stdout + run.stderr).toBe('');
      expect(run.status).toBe(0);
    });
  });
});

describe('cdn.yaml: the S3 + CloudFront path', () => {
  const t = load('cdn.yaml');

  it('sends exactly the security headers of server/src/headers.js', () => {
    const cfg = obj(res(t, 'SecurityHeadersPolicy').ResponseHeadersPolicyConfig);
    const sec = obj(cfg.SecurityHeadersConfig);
    const sent: Record<string, string> = {
      'Content-Security-Policy': String(obj(sec.ContentSecurityPolicy).ContentSecurityPolicy),
      'X-Content-Type-Options': 'nosniff', // what ContentTypeOptions sends
      'X-Frame-Options': String(obj(sec.FrameOptions).FrameOption),
      'Referrer-Policy': String(obj(sec.ReferrerPolicy).ReferrerPolicy),
    };
    for (const item of obj(cfg.CustomHeadersConfig).Items as Obj[]) sent[String(item.Header)] = String(item.Value);
    expect(sent).toEqual({ ...SECURITY_HEADERS });
    // Every header overrides whatever an object's metadata might carry.
    expect(Object.values(sec).every((h) => obj(h).Override === true)).toBe(true);
    expect((obj(cfg.CustomHeadersConfig).Items as Obj[]).every((h) => h.Override === true)).toBe(true);
    // HSTS: CloudFront always answers over TLS (http redirects), so always, with the server's value.
    const hsts = obj(sec.StrictTransportSecurity);
    const parts = [`max-age=${hsts.AccessControlMaxAgeSec}`, hsts.IncludeSubdomains ? 'includeSubDomains' : null, hsts.Preload ? 'preload' : null].filter(Boolean);
    expect(parts.join('; ')).toBe(STRICT_TRANSPORT_SECURITY);
  });

  it('keeps the bucket private (OAC only, TLS only) and redirects viewers to HTTPS', () => {
    expect(res(t, 'SiteBucket').PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    const stmts = obj(res(t, 'SiteBucketPolicy').PolicyDocument).Statement as Obj[];
    expect(stmts.find((s) => s.Effect === 'Allow')?.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    const behavior = obj(obj(res(t, 'Distribution').DistributionConfig).DefaultCacheBehavior);
    expect(behavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: 'SecurityHeadersPolicy' });
  });

  it('its SPA fallback function routes app paths to /index.html and leaves files alone', () => {
    const code = String(res(t, 'SpaFallback').FunctionCode);
    const route = (uri: string): string => {
      const ctx: { handler?: (e: unknown) => { uri: string }; event: unknown } = { event: { request: { uri, method: 'GET', headers: {} } } };
      runInNewContext(`${code}\nthis.result = handler(event);`, ctx);
      return (ctx as unknown as { result: { uri: string } }).result.uri;
    };
    expect(route('/')).toBe('/index.html');
    expect(route('/results')).toBe('/index.html');
    expect(route('/about/model/')).toBe('/index.html');
    expect(route('/assets/index-abc123.js')).toBe('/assets/index-abc123.js');
    expect(route('/model/model.json')).toBe('/model/model.json');
    expect(route('/sw.js')).toBe('/sw.js');
    expect(route('/manifest.webmanifest')).toBe('/manifest.webmanifest');
  });
});
