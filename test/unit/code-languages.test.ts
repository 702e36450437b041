import assert from 'node:assert/strict';
import { OutlineCache } from '../../src/core/code/cache';
import { codeLanguageOf, outlineLanguageOf, SPECS } from '../../src/core/code/languages';
import { outlineOf } from '../../src/core/code/outline';
import { loadLanguage } from '../../src/core/code/runtime';
import type { CodeLanguage, CodeOutline } from '../../src/core/code/types';

const SECRET = 'AKIAIOSFODNN7EXAMPLE';

async function outline(file: string, lines: string[]): Promise<CodeOutline> {
  const result = await outlineOf(file, lines.join('\n'), new OutlineCache());
  assert.ok(result, `no outline for ${file}`);
  assert.ok(!JSON.stringify(result.definitions).includes(SECRET), 'a value leaked into a signature');
  return result;
}

/** `container.name kind startLine-endLine exported: signature`, one per definition. */
const rows = (o: CodeOutline): string[] =>
  o.definitions.map(
    (d) =>
      `${d.container ? `${d.container}.` : ''}${d.name} ${d.kind} ${d.startLine}-${d.endLine}` +
      `${d.exported ? ' exported' : ''}: ${d.signature}`,
  );

describe('code outline: languages', () => {
  it('loads every grammar with the runtime (same ABI) and compiles its queries', async () => {
    for (const language of Object.keys(SPECS) as CodeLanguage[]) {
      const loaded = await loadLanguage(language);
      const tree = loaded.parser.parse('x');
      assert.ok(tree, language);
      tree.delete();
    }
  });

  it('maps extensions to languages and leaves unknown ones to the caller', async () => {
    assert.equal(codeLanguageOf('src/a.mjs'), 'javascript');
    assert.equal(codeLanguageOf('src/App.JSX'), 'javascript');
    assert.equal(codeLanguageOf('src/App.tsx'), 'tsx');
    assert.equal(codeLanguageOf('lib\\types.d.ts'), 'typescript');
    assert.equal(codeLanguageOf('Makefile'), undefined);
    assert.equal(codeLanguageOf('.ts'), undefined);
    assert.equal(codeLanguageOf('notes.md'), undefined);
    assert.equal(outlineLanguageOf('docs/Notes.MD'), 'markdown');
    assert.deepEqual((await outlineOf('notes.md', '# title'))?.definitions[0]?.signature, '# title');
    assert.equal(await outlineOf('a.rb', 'class A; end'), undefined);
  });

  it('TypeScript: no initialiser values in signatures, string parameter defaults hidden, types kept', async () => {
    const o = await outline('src/config.ts', [
      `export const AWS_SECRET = "${SECRET}";`,
      `export let token: string = \`${SECRET}\`;`,
      'export class Client {',
      `  private key: string = '${SECRET}';`,
      `  static readonly region = "${SECRET}";`,
      `  connect(host: string, user = '${SECRET}', port = 443): void {}`,
      '}',
      `export function sign(body: string, key: string = "${SECRET}"): string { return body; }`,
      `export const handler = async (event: Event, tag = '${SECRET}') => { const local = 1; return local; };`,
    ]);
    assert.deepEqual(rows(o), [
      'AWS_SECRET constant 1-1 exported: export const AWS_SECRET',
      'token variable 2-2 exported: export let token: string',
      'Client class 3-7 exported: export class Client',
      'Client.key property 4-4: private key: string',
      'Client.region property 5-5 exported: static readonly region',
      'Client.connect method 6-6 exported: connect(host: string, user = …, port = 443): void',
      'sign function 8-8 exported: export function sign(body: string, key: string = …): string',
      'handler function 9-9 exported: export const handler = async (event: Event, tag = …) =>',
    ]);
  });

  it('TypeScript and CommonJS: a declaration exported by an export list or module.exports is exported', async () => {
    const ts = await outline('src/index.ts', [
      'function a() {}',
      'class B {}',
      'const c = 1;',
      'function hidden() {}',
      'export { a, B as Bee };',
      'export default c;',
    ]);
    assert.deepEqual(
      ts.definitions.map((d) => `${d.name}:${d.exported}`),
      ['a:true', 'B:true', 'c:true', 'hidden:false'],
    );
    const js = await outline('lib/index.cjs', ['function f() {}', 'function g() {}', 'module.exports = { f };']);
    assert.deepEqual(
      js.definitions.map((d) => `${d.name}:${d.exported}`),
      ['f:true', 'g:false'],
    );
  });

  it('Python: constants and class attributes without values; decorators start the range', async () => {
    const o = await outline('app/settings.py', [
      `API_KEY = "${SECRET}"`,
      'class Settings(Base):',
      `    token: str = "${SECRET}"`,
      '    @property',
      `    def url(self, scheme: str = "${SECRET}") -> str:`,
      '        return scheme',
      'def _helper():',
      '    pass',
    ]);
    assert.deepEqual(rows(o), [
      'API_KEY constant 1-1 exported: API_KEY',
      'Settings class 2-6 exported: class Settings(Base)',
      'Settings.token field 3-3 exported: token: str',
      'Settings.url method 4-6 exported: def url(self, scheme: str = …) -> str',
      '_helper function 7-8: def _helper()',
    ]);
  });

  it('Go: methods take their receiver type as container; struct fields and interface methods are members', async () => {
    const o = await outline('store/store.go', [
      'package store',
      `const Token = "${SECRET}"`,
      'type Store[K comparable] struct {',
      '\tName string `json:"name"`',
      '\titems map[K]int',
      '}',
      'type Getter interface {',
      '\tGet(key string) (int, error)',
      '}',
      'func (s *Store[K]) Get(key K) (int, error) {',
      '\treturn s.items[key], nil',
      '}',
      'func (s Store[K]) size() int { return len(s.items) }',
      'func New() *Store[string] { return nil }',
    ]);
    assert.deepEqual(rows(o), [
      'Token constant 2-2 exported: const Token',
      'Store struct 3-6 exported: type Store[K comparable] struct',
      'Store.Name field 4-4 exported: Name string',
      'Store.items field 5-5: items map[K]int',
      'Getter interface 7-9 exported: type Getter interface',
      'Getter.Get method 8-8 exported: Get(key string) (int, error)',
      'Store.Get method 10-12 exported: func (s *Store[K]) Get(key K) (int, error)',
      'Store.size method 13-13: func (s Store[K]) size() int',
      'New function 14-14 exported: func New() *Store[string]',
    ]);
    assert.ok(o.references.includes('comparable') && !o.references.includes('key'));
  });

  it('Rust: impl methods belong to the implemented type, attributes start the range, pub marks exports', async () => {
    const o = await outline('src/point.rs', [
      `pub const KEY: &str = "${SECRET}";`,
      '#[derive(Debug)]',
      'pub struct Point { pub x: i32, y: i32 }',
      'pub trait Shape { fn area(&self) -> f64; }',
      'impl<T> Shape for Wrapper<T> {',
      '    fn area(&self) -> f64 { helper(1) }',
      '}',
      'impl Point {',
      '    pub fn new(x: i32) -> Self { Point { x, y: 0 } }',
      '}',
      'fn helper(a: i32) -> f64 { let local = 0.0; local }',
    ]);
    assert.deepEqual(rows(o), [
      'KEY constant 1-1 exported: pub const KEY: &str',
      'Point struct 2-3 exported: pub struct Point',
      'Point.x field 3-3 exported: pub x: i32',
      'Point.y field 3-3: y: i32',
      'Shape trait 4-4 exported: pub trait Shape',
      'Shape.area method 4-4 exported: fn area(&self) -> f64',
      'Wrapper.area method 6-6 exported: fn area(&self) -> f64',
      'Point.new method 9-9 exported: pub fn new(x: i32) -> Self',
      'helper function 11-11: fn helper(a: i32) -> f64',
    ]);
  });

  it('Java and C#: methods, fields and constants without their values, annotations dropped', async () => {
    const java = await outline('src/Client.java', [
      'package p;',
      'public class Client extends Base {',
      `  public static final String KEY = "${SECRET}";`,
      '  private int retries, timeout = 30;',
      '  public Client(int retries) { this.retries = retries; }',
      '  @Override',
      '  public String call(String path) throws IOException { return helper(path); }',
      '}',
    ]);
    assert.deepEqual(rows(java), [
      'Client class 2-8 exported: public class Client extends Base',
      'Client.KEY constant 3-3 exported: public static final String KEY',
      'Client.retries field 4-4: private int retries',
      'Client.timeout field 4-4: private int timeout',
      'Client.Client method 5-5 exported: public Client(int retries)',
      'Client.call method 6-7 exported: public String call(String path) throws IOException',
    ]);
    const cs = await outline('src/Client.cs', [
      'namespace App {',
      '  public class Client {',
      `    public const string Key = "${SECRET}";`,
      `    public string Token { get; set; } = "${SECRET}";`,
      `    public int Call(string path = "${SECRET}") { return 0; }`,
      '  }',
      '}',
    ]);
    assert.deepEqual(rows(cs), [
      'App module 1-7: namespace App',
      'App.Client class 2-6 exported: public class Client',
      'Client.Key constant 3-3 exported: public const string Key',
      'Client.Token property 4-4 exported: public string Token { get; set; }',
      'Client.Call method 5-5 exported: public int Call(string path = …)',
    ]);
  });
});
