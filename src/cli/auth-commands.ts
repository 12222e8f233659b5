// `cairn users …` and `cairn permissions …`: the users, access tokens and permissions that
// `cairn server --auth` checks, managed against the database directly (like `cairn import`), so the
// first steps need no running server. Every change is recorded with the actor `cli:<os user>`.
import { Command, Option } from 'commander';
import { userInfo } from 'node:os';
import type { AuthChange } from '../auth/auth-store.js';
import { openAuthStore } from '../auth/open-auth-store.js';
import { parsePermission } from '../auth/permissions.js';
import type { SqlAuthStore } from '../auth/sql-auth-store.js';
import { formatTable, UsageError } from './cli-client.js';
import { defaultBackendStoreUri, parseBackendStoreUri } from './server-options.js';

const print = (text: string): void => {
  process.stdout.write(`${text}\n`);
};
const iso = (ms: number | null) => (ms ? new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z') : '');

const storeOption = () =>
  new Option(
    '--backend-store-uri <uri>',
    "the server's database, as for `cairn server` (default: CAIRN_TRACKING_URI or MLFLOW_TRACKING_URI when " +
      'they name a database, else sqlite:///cairn-data/cairn.db)',
  ).argParser(parseBackendStoreUri);
const jsonOption = () => new Option('--json', 'print JSON');

function change(): AuthChange {
  let who = 'unknown';
  try {
    who = userInfo().username;
  } catch {
    // no passwd entry (a container's arbitrary uid)
  }
  return { actor: `cli:${who}` };
}

/** `opts` are the command's parsed options; `--backend-store-uri` names the database. */
async function withAuth<T>(opts: object, fn: (auth: SqlAuthStore) => Promise<T>): Promise<T> {
  const uri = (opts as { backendStoreUri?: string }).backendStoreUri ?? defaultBackendStoreUri();
  const { auth, close } = await openAuthStore(uri);
  try {
    return await fn(auth);
  } finally {
    await close();
  }
}

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
}

async function passwordOf(opts: { password?: string; passwordStdin?: boolean }): Promise<string> {
  if (opts.password !== undefined && opts.passwordStdin) {
    throw new UsageError('give either --password or --password-stdin, not both');
  }
  if (opts.passwordStdin) return readStdinLine();
  if (opts.password !== undefined) return opts.password;
  throw new UsageError('a password is needed: --password-stdin (reads the first line of stdin) or --password');
}

const passwordOptions = (cmd: Command) =>
  cmd
    .option('--password-stdin', 'read the password from the first line of standard input')
    .option(
      '--password <password>',
      'the password (visible to other users in the process list: prefer --password-stdin)',
    );

export function usersCommand(): Command {
  const cmd = new Command('users').description(
    'Manage the users and access tokens of `cairn server --auth` (in the database directly).',
  );
  cmd.addHelpText(
    'after',
    "\nExample:\n  printf '%s\\n' 'a long secret' | cairn users create alice --password-stdin --backend-store-uri sqlite:///cairn-data/cairn.db\n",
  );

  passwordOptions(
    cmd
      .command('create')
      .description('Create a user (at least 8 characters of password; names cannot contain ":").')
      .argument('<username>')
      .option('--admin', 'make the user an admin (every permission, user management)'),
  )
    .addOption(storeOption())
    .action(async (username: string, opts: { admin?: boolean; password?: string; passwordStdin?: boolean }) => {
      const password = await passwordOf(opts);
      const user = await withAuth(opts, (auth) => auth.createUser(username, password, change(), opts.admin ?? false));
      print(`created ${user.isAdmin ? 'admin' : 'user'} ${user.username} (id ${user.id})`);
    });

  cmd
    .command('list')
    .description('List users.')
    .addOption(storeOption())
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const users = await withAuth(opts, (auth) => auth.listUsers());
      if (opts.json) {
        const rows = users.map((u) => ({
          id: u.id,
          username: u.username,
          is_admin: u.isAdmin,
          creation_time: u.creationTime,
        }));
        return print(JSON.stringify({ users: rows }, null, 2));
      }
      print(
        formatTable(
          ['ID', 'USERNAME', 'ADMIN', 'CREATED'],
          users.map((u) => [String(u.id), u.username, u.isAdmin ? 'yes' : 'no', iso(u.creationTime)]),
        ),
      );
    });

  cmd
    .command('delete')
    .description('Delete a user with their permissions and tokens.')
    .argument('<username>')
    .addOption(storeOption())
    .action(async (username: string, opts) => {
      await withAuth(opts, (auth) => auth.deleteUser(username, change()));
      print(`deleted user ${username}`);
    });

  passwordOptions(cmd.command('set-password').description("Set a user's password.").argument('<username>'))
    .addOption(storeOption())
    .action(async (username: string, opts: { password?: string; passwordStdin?: boolean }) => {
      const password = await passwordOf(opts);
      await withAuth(opts, (auth) => auth.setPassword(username, password, change()));
      print(`password of ${username} changed`);
    });

  cmd
    .command('token-create')
    .description('Create an access token (sent as MLFLOW_TRACKING_TOKEN); its secret is printed only now.')
    .argument('<username>')
    .requiredOption('--name <label>', 'what the token is for, e.g. ci or laptop')
    .option('--expires-days <n>', 'refuse the token after this many days (default: never)')
    .addOption(storeOption())
    .addOption(jsonOption())
    .action(async (username: string, opts: { name: string; expiresDays?: string; json?: boolean }) => {
      let expiry: number | null = null;
      if (opts.expiresDays !== undefined) {
        const days = Number(opts.expiresDays);
        if (!/^\d+$/.test(opts.expiresDays) || days < 1) throw new UsageError('--expires-days must be an integer >= 1');
        expiry = Date.now() + days * 86_400_000;
      }
      const { token, secret } = await withAuth(opts, (auth) => auth.createToken(username, opts.name, change(), expiry));
      if (opts.json) return print(JSON.stringify({ id: token.id, name: token.name, secret }, null, 2));
      print(
        `id:     ${token.id}\ntoken:  ${secret}\n(keep it: set MLFLOW_TRACKING_TOKEN to it; it is not shown again)`,
      );
    });

  cmd
    .command('token-list')
    .description("List a user's tokens (never their secrets).")
    .argument('<username>')
    .addOption(storeOption())
    .addOption(jsonOption())
    .action(async (username: string, opts: { json?: boolean }) => {
      const tokens = await withAuth(opts, (auth) => auth.listTokens(username));
      if (opts.json) return print(JSON.stringify({ tokens }, null, 2));
      print(
        formatTable(
          ['ID', 'NAME', 'CREATED', 'EXPIRES'],
          tokens.map((t) => [t.id, t.name, iso(t.creationTime), t.expiryTime ? iso(t.expiryTime) : 'never']),
        ),
      );
    });

  cmd
    .command('token-revoke')
    .description('Revoke a token at once (servers that cached it drop it within 30 seconds).')
    .argument('<username>')
    .argument('<token-id>')
    .addOption(storeOption())
    .action(async (username: string, tokenId: string, opts) => {
      await withAuth(opts, (auth) => auth.revokeToken(username, tokenId, change()));
      print(`revoked token ${tokenId} of ${username}`);
    });
  return cmd;
}

interface Target {
  user: string;
  experiment?: string;
  model?: string;
}

function target(opts: Target): { type: 'experiment' | 'model'; id: string } {
  if ((opts.experiment === undefined) === (opts.model === undefined)) {
    throw new UsageError('name exactly one resource: --experiment <id> or --model <name>');
  }
  return opts.experiment !== undefined
    ? { type: 'experiment', id: opts.experiment }
    : { type: 'model', id: opts.model! };
}

const targetOptions = (cmd: Command) =>
  cmd
    .requiredOption('--user <username>', 'whose permission')
    .option('--experiment <id>', 'an experiment id')
    .option('--model <name>', 'a registered model name');

export function permissionsCommand(): Command {
  const cmd = new Command('permissions').description(
    'Grant, revoke and list per-experiment and per-model permissions (READ, EDIT, MANAGE, NO_PERMISSIONS).',
  );
  cmd.addHelpText('after', '\nExample:\n  cairn permissions grant --user alice --experiment 3 --permission EDIT\n');

  targetOptions(cmd.command('grant').description("Set a user's permission on one experiment or model."))
    .requiredOption('--permission <p>', 'READ, EDIT, MANAGE or NO_PERMISSIONS')
    .addOption(storeOption())
    .action(async (opts: Target & { permission: string }) => {
      const where = target(opts);
      let permission: ReturnType<typeof parsePermission>;
      try {
        permission = parsePermission(opts.permission.toUpperCase(), '--permission');
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      await withAuth(opts, async (auth) => {
        const c = change();
        if (where.type === 'experiment') {
          const had = await auth.getExperimentPermission(where.id, opts.user).catch(() => undefined);
          if (had) await auth.updateExperimentPermission(where.id, opts.user, permission, c);
          else await auth.createExperimentPermission(where.id, opts.user, permission, c);
        } else {
          const had = await auth.getRegisteredModelPermission(where.id, opts.user).catch(() => undefined);
          if (had) await auth.updateRegisteredModelPermission(where.id, opts.user, permission, c);
          else await auth.createRegisteredModelPermission(where.id, opts.user, permission, c);
        }
      });
      print(`${opts.user}: ${permission} on ${where.type} ${where.id}`);
    });

  targetOptions(cmd.command('revoke').description('Remove a stored permission (the default permission applies again).'))
    .addOption(storeOption())
    .action(async (opts: Target) => {
      const where = target(opts);
      await withAuth(opts, (auth) =>
        where.type === 'experiment'
          ? auth.deleteExperimentPermission(where.id, opts.user, change())
          : auth.deleteRegisteredModelPermission(where.id, opts.user, change()),
      );
      print(`${opts.user}: permission on ${where.type} ${where.id} removed`);
    });

  cmd
    .command('list')
    .description("List a user's stored permissions, or with --history the latest changes to users and permissions.")
    .option('--user <username>', 'whose permissions')
    .option('--history', 'the latest 100 changes, newest first')
    .addOption(storeOption())
    .addOption(jsonOption())
    .action(async (opts: { user?: string; history?: boolean; json?: boolean }) => {
      if (opts.history) {
        const entries = await withAuth(opts, (auth) => auth.history());
        if (opts.json) return print(JSON.stringify({ history: entries }, null, 2));
        return print(
          formatTable(
            ['TIME', 'ACTOR', 'ACTION', 'USER', 'RESOURCE', 'PERMISSION'],
            entries.map((e) => [
              iso(e.timestamp),
              e.actor,
              e.action,
              e.username,
              e.resourceType ? `${e.resourceType} ${e.resourceId}` : '',
              e.permission ?? '',
            ]),
          ),
        );
      }
      if (!opts.user) throw new UsageError('give --user <username> (or --history)');
      const user = opts.user;
      const [experiments, models] = await withAuth(
        opts,
        async (auth) =>
          [await auth.listExperimentPermissions(user), await auth.listRegisteredModelPermissions(user)] as const,
      );
      if (opts.json) return print(JSON.stringify({ experiments, models }, null, 2));
      const rows = [
        ...experiments.map((p) => ['experiment', p.experimentId, p.permission]),
        ...models.map((p) => ['model', p.name, p.permission]),
      ];
      print(formatTable(['RESOURCE', 'ID', 'PERMISSION'], rows));
    });
  return cmd;
}
