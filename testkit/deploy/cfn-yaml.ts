/**
 * CloudFormation YAML → the template's JSON form. The short-form intrinsic tags (!Ref, !Sub, !GetAtt …)
 * become their long forms ({"Ref": …}, {"Fn::Sub": …}), which is exactly what CloudFormation does, so
 * the validator sees one shape.
 */
import { parse, type ScalarTag, type CollectionTag, type YAMLMap, type YAMLSeq } from 'yaml';

const FN_TAGS = ['Base64', 'Cidr', 'FindInMap', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or', 'Length', 'ToJsonString'];

function longName(tag: string): string {
  if (tag === 'Ref' || tag === 'Condition') return tag;
  return `Fn::${tag}`;
}

function scalarTag(tag: string): ScalarTag {
  return {
    tag: `!${tag}`,
    resolve: (value: string) => {
      // !GetAtt Resource.Attribute (the scalar form) splits at the first dot.
      if (tag === 'GetAtt') {
        const dot = value.indexOf('.');
        return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
      }
      return { [longName(tag)]: value };
    },
  };
}

function collectionTag(tag: string, collection: 'seq' | 'map'): CollectionTag {
  return {
    tag: `!${tag}`,
    collection,
    resolve: (value: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [tag === 'GetAtt' ? 'Fn::GetAtt' : longName(tag)]: value.toJSON() }),
  } as unknown as CollectionTag;
}

const TAGS = ['Ref', 'Condition', 'GetAtt', ...FN_TAGS].flatMap((t) => [scalarTag(t), collectionTag(t, 'seq'), collectionTag(t, 'map')]);

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Parses a CloudFormation YAML template; errors name the file and the line. */
export function parseCfnYaml(text: string, file: string): Record<string, Json> {
  try {
    const doc = parse(text, { customTags: TAGS, prettyErrors: true, uniqueKeys: true, strict: true }) as unknown;
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('the template is not a mapping');
    return doc as Record<string, Json>;
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
}
