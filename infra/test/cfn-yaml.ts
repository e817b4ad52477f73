import * as fs from 'node:fs';
import { parse, type ScalarTag, type CollectionTag } from 'yaml';

const FUNCTIONS = [
  'Base64', 'Cidr', 'Equals', 'FindInMap', 'GetAZs', 'GetAtt', 'If', 'ImportValue', 'Join', 'Not', 'And', 'Or',
  'Select', 'Split', 'Sub', 'Transform',
];

/** YAML tags of CloudFormation's short intrinsic-function syntax (`!Ref`, `!Sub`, `!GetAtt`, ...). */
function cfnTags(): (ScalarTag | CollectionTag)[] {
  const tags: (ScalarTag | CollectionTag)[] = [
    { tag: '!Ref', resolve: (v: string) => ({ Ref: v }) } as ScalarTag,
    { tag: '!Condition', resolve: (v: string) => ({ Condition: v }) } as ScalarTag,
  ];
  for (const f of FUNCTIONS) {
    const key = `Fn::${f}`;
    tags.push({ tag: `!${f}`, resolve: (v: string) => ({ [key]: f === 'GetAtt' ? v.split('.') : v }) } as ScalarTag);
    for (const collection of ['seq', 'map'] as const) {
      tags.push({
        tag: `!${f}`,
        collection,
        resolve: (node: { toJSON(): unknown }) => ({ [key]: node.toJSON() }),
      } as unknown as CollectionTag);
    }
  }
  return tags;
}

/** A CloudFormation/SAM YAML template as plain JSON (long-form intrinsic functions). */
export function loadCfnYaml(file: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  return parse(fs.readFileSync(file, 'utf8'), { customTags: cfnTags(), maxAliasCount: -1 });
}
