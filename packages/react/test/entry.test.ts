import { readFileSync } from 'node:fs'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

describe('the package entry', () => {
  it("starts with the 'use client' directive, so React Server Components frameworks treat it as client code", () => {
    const file = new URL('../src/index.ts', import.meta.url)
    const source = ts.createSourceFile('index.ts', readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022)
    const first = source.statements[0]
    expect(first !== undefined && ts.isExpressionStatement(first) && ts.isStringLiteral(first.expression) ? first.expression.text : undefined).toBe('use client')
  })
})
