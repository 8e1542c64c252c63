import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

/** Every name (values and types) an entry point of @sship/core exports. */
function exportedNames(entry: string): string[] {
  const file = fileURLToPath(new URL(`../src/${entry}`, import.meta.url))
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, noEmit: true,
    // Binding the export lists needs no lib or @types: skip them, it is several times faster.
    noLib: true, types: [], skipLibCheck: true
  })
  const checker = program.getTypeChecker()
  const module = checker.getSymbolAtLocation(program.getSourceFile(file)!)!
  return checker.getExportsOfModule(module).map((s) => s.name).sort()
}

describe("@sship/core's public root", () => {
  it('stays narrow (at most 40 names): wire codecs, ledger and sync internals live behind @sship/core/internals', () => {
    const root = exportedNames('index.ts')
    expect(root.length, root.join(', ')).toBeLessThanOrEqual(40)
    for (const name of ['initServer', 'connect', 'sship', 'Server', 'Connection', 'Transport', 'SshipError']) expect(root).toContain(name)
    for (const name of ['encodeEnvelope', 'messages', 'DocSync', 'ReplayWindow', 'EntryAuthority', 'termSigningBytes']) {
      expect(root).not.toContain(name)
      expect(exportedNames('internals.ts')).toContain(name)
    }
    expect(exportedNames('security/index.ts')).toContain('SecureTransport')
  })
})
