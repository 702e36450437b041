import ignore from 'ignore';
import type { Ignore } from 'ignore';

/** One kind of file whose content is a credential, with the gitignore-style patterns that find it. */
export interface CredentialKind {
  /** Short stable name, shown in refusals and logs. */
  rule: string;
  what: string;
  patterns: readonly string[];
}

/**
 * Credential files by kind. The kinds and most names follow the file signatures of Gitrob (michenriksson/gitrob,
 * core/signatures.go, MIT; carried on by its forks and by shhgit), which catalogue the files that leak credentials from
 * public repositories, completed with the files each tool documents as holding its tokens (AWS, gcloud, Azure, Docker,
 * kubectl, npm, pip, RubyGems, Cargo, Terraform, Helm). Patterns are gitignore globs matched in any letter case: one
 * without a slash matches a file name at any depth, one with a slash a path at any depth (a trailing slash: everything
 * in that folder). Source files are never matched: a key written in code is found by the content scanner instead.
 */
export const CREDENTIAL_KINDS: readonly CredentialKind[] = [
  {
    rule: 'dotenv',
    what: 'environment file',
    patterns: ['.env', '.env.*', '.env-*', '.env_*', '.envrc', '*.env', '.flaskenv'],
  },
  {
    rule: 'ssh-key',
    what: 'SSH private key or configuration',
    patterns: ['id_rsa*', 'id_dsa*', 'id_ecdsa*', 'id_ed25519*', 'id_xmss*', '*_rsa', '*_dsa', '*_ecdsa', '*_ed25519'],
  },
  { rule: 'ssh-dir', what: 'SSH configuration folder', patterns: ['.ssh/', '*.ppk', 'ssh_config', 'sshd_config'] },
  {
    rule: 'private-key',
    what: 'key or certificate container',
    patterns: ['*.key', '*.pem', '*.p12', '*.pfx', '*.pkcs12', '*.p8', '*.jks', '*.keystore', '*.bks', '*.asc'],
  },
  {
    rule: 'password-store',
    what: 'password manager or keychain database',
    patterns: ['*.kdb', '*.kdbx', '*.psafe3', '*.agilekeychain', '*.keychain', '*.kwallet', '*.gpg'],
  },
  {
    rule: 'aws-credentials',
    what: 'AWS credentials',
    patterns: ['.aws/', '.s3cfg', '.boto', '.passwd-s3fs'],
  },
  {
    rule: 'gcp-credentials',
    what: 'Google Cloud credentials',
    patterns: [
      '.config/gcloud/',
      'application_default_credentials.json',
      '*service-account*.json',
      '*service_account*.json',
      'client_secret*.json',
      'adc.json',
    ],
  },
  {
    rule: 'azure-credentials',
    what: 'Azure credentials',
    patterns: ['.azure/', '*.publishsettings', '*.cscfg', 'azureProfile.json', 'msal_token_cache.*'],
  },
  { rule: 'docker-config', what: 'Docker registry credentials', patterns: ['.docker/config.json', '.dockercfg'] },
  {
    rule: 'kubeconfig',
    what: 'Kubernetes client configuration',
    patterns: ['.kube/', 'kubeconfig', 'kubeconfig.*', '*.kubeconfig', 'kubeconfig-*'],
  },
  {
    rule: 'kubernetes-secret',
    what: 'Kubernetes or Helm secrets manifest',
    patterns: ['*secret*.yaml', '*secret*.yml', 'secrets.json', 'secret.json', 'secrets.toml', '*.secret', '*.secrets'],
  },
  {
    rule: 'package-registry-token',
    what: 'package registry token file (npm, Yarn, pip, RubyGems, Cargo, Composer, Maven, Gradle)',
    patterns: [
      '.npmrc',
      '.yarnrc',
      '.yarnrc.yml',
      '.pypirc',
      'pip.conf',
      'pip.ini',
      '.gem/',
      '.cargo/credentials',
      '.cargo/credentials.toml',
      '.composer/auth.json',
      '.m2/settings.xml',
      'settings-security.xml',
      '.gradle/gradle.properties',
    ],
  },
  {
    rule: 'login-file',
    what: 'login or password file',
    patterns: ['.netrc', '_netrc', '.git-credentials', '.pgpass', '.my.cnf', '.htpasswd', 'proftpdpasswd'],
  },
  {
    rule: 'cli-token',
    what: 'command-line tool token file',
    patterns: ['.vault-token', '.config/gh/hosts.yml', '.config/hub', '.terraformrc', 'terraform.rc', '*.tfrc.json'],
  },
  {
    rule: 'terraform-state',
    what: 'Terraform state or variables',
    patterns: ['*.tfstate', '*.tfstate.*', 'terraform.tfvars', '*.auto.tfvars', 'terraform.tfvars.json'],
  },
  {
    rule: 'app-secret',
    what: 'application secret file',
    patterns: ['master.key', 'secret_token.rb', '*.ovpn', '*.tblk', '*.rdp'],
  },
  {
    // Last: a file called `credentials` inside `.aws/` or `.gem/` is named by its tool's rule first.
    rule: 'credentials-file',
    what: 'credentials file',
    patterns: [
      'credentials',
      '*credentials*.json',
      'credentials.y*ml',
      'credentials.toml',
      'credentials.xml',
      'credentials.db',
    ],
  },
];

/** Process-wide choices the user makes about credentials (settings in the editor, options in the CLI). */
export interface SecretPolicy {
  /** More gitignore-style patterns of credential files; they add to the built-in kinds, never remove any. */
  patterns: readonly string[];
  /** Whether files with more than one hard link may be read (default false: the other link may be anywhere). */
  allowHardLinks: boolean;
}

const USER_RULE = 'secretPatterns setting';

let policy: SecretPolicy = { patterns: [], allowHardLinks: false };
let userMatcher: { key: string; matcher: Ignore } | undefined;

/**
 * What `credentialKindOf` found for each path under the current policy: a re-plan lists the same ten thousand paths
 * again, and matching each against every pattern is most of the listing's time. Emptied when the policy changes.
 */
const kinds = new Map<string, CredentialKind | null>();
const MAX_REMEMBERED = 200_000;

export function configureSecrets(next: Partial<SecretPolicy>): void {
  kinds.clear();
  policy = {
    patterns: (next.patterns ?? policy.patterns).filter((p) => p.trim() !== '' && !p.trim().startsWith('!')),
    allowHardLinks: next.allowHardLinks ?? policy.allowHardLinks,
  };
}

export function secretPolicy(): Readonly<SecretPolicy> {
  return policy;
}

interface Compiled {
  kind: CredentialKind;
  /** Patterns without a slash, tested on the file name alone: a folder called `credentials/` is not a credential. */
  names: Ignore;
  /** Patterns with a slash, tested on the whole path at any depth; `dir/` covers everything in that folder. */
  paths: Ignore;
}

function compile(kind: CredentialKind): Compiled {
  const named = kind.patterns.filter((p) => !p.includes('/'));
  const pathed = kind.patterns
    .filter((p) => !named.includes(p))
    .map((p) => (p.startsWith('**/') ? p : `**/${p.replace(/^\//, '')}`));
  return {
    kind,
    names: ignore({ ignorecase: true }).add(named),
    paths: ignore({ ignorecase: true }).add(pathed),
  };
}

const builtIn = CREDENTIAL_KINDS.map(compile);
/** One matcher for all kinds answers the common "no"; the per-kind matchers only name the rule of a "yes". */
const anyBuiltIn = compile({ rule: '', what: '', patterns: CREDENTIAL_KINDS.flatMap((k) => [...k.patterns]) });

function matches(c: Compiled, p: string): boolean {
  const name = p.replace(/\/$/, '').split('/').at(-1) ?? '';
  return (name !== '' && c.names.ignores(name)) || c.paths.ignores(p);
}

/**
 * Code points that HFS+ ignores in file names, so that `.g\u200cit` opens `.git` on macOS; the same list git checks in
 * `is_hfs_dotgit` (path.c).
 */
const HFS_IGNORABLE = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g;

/**
 * A path segment as Windows and macOS resolve it: Unicode NFC without HFS+-ignorable code points, NTFS alternate data
 * streams (`name::$DATA`, `name:stream`) cut, trailing dots and spaces dropped (Win32 drops them), lower case.
 */
export function canonicalSegment(segment: string): string {
  let s = segment.normalize('NFC').replace(HFS_IGNORABLE, '');
  const colon = s.indexOf(':');
  if (colon > 0) {
    s = s.slice(0, colon);
  }
  return s.replace(/[. ]+$/, '').toLowerCase();
}

/** An 8.3 short name (`GIT~1`, `PROGRA~1.TXT`), which Windows may resolve to any long name, `.git` included. */
export function isShortName(segment: string): boolean {
  return /^[^~/\\]{1,8}~\d+(\.[^.]{0,3})?$/i.test(segment.replace(/[. ]+$/, ''));
}

/** The segments of a workspace-relative path, each as a case-insensitive file system would see it. */
export function canonicalSegments(rel: string): string[] {
  return rel
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .map(canonicalSegment)
    .filter((s) => s !== '');
}

function userKind(): CredentialKind | undefined {
  if (policy.patterns.length === 0) {
    return undefined;
  }
  const key = policy.patterns.join('\n');
  if (userMatcher?.key !== key) {
    userMatcher = { key, matcher: ignore({ ignorecase: true }).add([...policy.patterns]) };
  }
  return { rule: USER_RULE, what: 'file named in opusOrchestrator.secretPatterns', patterns: policy.patterns };
}

/**
 * The credential kind of a workspace-relative path, or undefined. The path is matched as written and as Windows and
 * macOS would resolve it, so `.ENV`, `.env.` and `.env::$DATA` are the `.env` they open.
 */
export function credentialKindOf(rel: string): CredentialKind | undefined {
  const known = kinds.get(rel);
  if (known !== undefined) {
    return known ?? undefined;
  }
  if (kinds.size >= MAX_REMEMBERED) {
    kinds.clear();
  }
  const kind = matchKind(rel);
  kinds.set(rel, kind ?? null);
  return kind;
}

function matchKind(rel: string): CredentialKind | undefined {
  const written = rel.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  const resolved = canonicalSegments(rel).join('/');
  for (const p of new Set([written, resolved])) {
    if (p === '' || p === '.' || !ignore.isPathValid(p.replace(/\/$/, ''))) {
      continue;
    }
    if (matches(anyBuiltIn, p)) {
      return builtIn.find((b) => matches(b, p))?.kind;
    }
    const user = userKind();
    if (user && userMatcher?.matcher.ignores(p)) {
      return user;
    }
  }
  return undefined;
}

/** True when the path is a credential file by kind (the built-in list or the user's patterns). */
export function isCredentialPath(rel: string): boolean {
  return credentialKindOf(rel) !== undefined;
}
