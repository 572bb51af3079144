/**
 * Offline CloudFormation template validation against AWS's own resource schemas, as packaged by the
 * AWS CDK team in @aws-cdk/aws-service-spec (the CloudFormation registry schemas of every resource
 * type, updated with each CloudFormation release). cfn-lint is Python and not installable here.
 *
 * Checks: template sections; parameter types; every resource type exists; no unknown and no missing
 * required properties, recursively through nested property types; scalar/array/object shapes;
 * Ref / Fn::GetAtt (including the attribute name) / Fn::Sub / DependsOn / Condition targets exist.
 * Values built by intrinsics are accepted where a value is expected; their targets are still checked.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { Json } from './cfn-yaml';

type Db = ReturnType<typeof loadAwsServiceSpecSync>;
type SpecType = { type: string; element?: SpecType; types?: SpecType[]; reference?: unknown; allowedValues?: unknown[] };
type SpecProps = Record<string, { type: SpecType; required?: boolean }>;

let db: Db | undefined;
/** Loading the database takes ~0.5 s; share it across templates. */
function spec(): Db {
  db ??= loadAwsServiceSpecSync();
  return db;
}

const SECTIONS = new Set(['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Transform', 'Resources', 'Outputs']);
const RESOURCE_KEYS = new Set(['Type', 'Properties', 'DependsOn', 'Condition', 'DeletionPolicy', 'UpdateReplacePolicy', 'UpdatePolicy', 'CreationPolicy', 'Metadata']);
const PSEUDO = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']);
const PARAM_TYPE = /^(String|Number|List<Number>|CommaDelimitedList|AWS::EC2::[A-Za-z:]+::(Id|Name)|List<AWS::EC2::[A-Za-z:]+::Id>|AWS::SSM::Parameter::Name|AWS::SSM::Parameter::Value<.+>)$/;

const isObj = (v: Json | undefined): v is { [k: string]: Json } => v !== null && typeof v === 'object' && !Array.isArray(v);
/** A one-key object whose key is an intrinsic function: its value is computed at deploy time. */
const intrinsic = (v: Json): string | null => {
  if (!isObj(v)) return null;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::') || keys[0] === 'Condition') ? keys[0]! : null;
};

export function validateTemplate(template: Record<string, Json>): string[] {
  const problems: string[] = [];
  const params = isObj(template.Parameters) ? template.Parameters : {};
  const resources = isObj(template.Resources) ? template.Resources : {};
  const conditions = isObj(template.Conditions) ? template.Conditions : {};
  const mappings = isObj(template.Mappings) ? template.Mappings : {};

  for (const key of Object.keys(template)) if (!SECTIONS.has(key)) problems.push(`template: unknown section ${key}`);
  if (Object.keys(resources).length === 0) problems.push('template: Resources is missing or empty');

  for (const [name, p] of Object.entries(params)) {
    if (!isObj(p) || typeof p.Type !== 'string') problems.push(`Parameters.${name}: needs a Type`);
    else if (!PARAM_TYPE.test(p.Type)) problems.push(`Parameters.${name}: unknown parameter type ${p.Type}`);
    else if (isObj(p) && Array.isArray(p.AllowedValues) && p.Default !== undefined && !p.AllowedValues.includes(p.Default)) {
      problems.push(`Parameters.${name}: Default ${JSON.stringify(p.Default)} is not among AllowedValues`);
    }
  }

  const refTargets = new Set([...Object.keys(params), ...Object.keys(resources), ...PSEUDO]);

  /** Checks every intrinsic inside `value` (anywhere in the template) for dangling targets. */
  const checkRefs = (value: Json, where: string): void => {
    if (Array.isArray(value)) return value.forEach((v, i) => checkRefs(v, `${where}[${i}]`));
    if (!isObj(value)) return;
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string' && !refTargets.has(v)) problems.push(`${where}: Ref to unknown ${v}`);
      if (k === 'Fn::GetAtt') {
        const [res, attr] = Array.isArray(v) ? v : [];
        if (typeof res !== 'string' || !isObj(resources[res])) problems.push(`${where}: Fn::GetAtt of unknown resource ${JSON.stringify(res)}`);
        else if (typeof attr === 'string') {
          const type = (resources[res] as { Type?: Json }).Type;
          const r = typeof type === 'string' ? lookupResource(type) : null;
          if (r && !(attr in r.attributes)) problems.push(`${where}: ${type} has no attribute ${attr} (has: ${Object.keys(r.attributes).join(', ')})`);
        }
      }
      if (k === 'Fn::Sub') {
        const [text, vars] = Array.isArray(v) ? [v[0], v[1]] : [v, undefined];
        const local = new Set(isObj(vars as Json) ? Object.keys(vars as object) : []);
        if (typeof text === 'string') {
          for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
            const ref = m[1]!.trim();
            const base = ref.includes('.') && !ref.startsWith('AWS::') ? ref.split('.')[0]! : ref;
            if (!local.has(ref) && !refTargets.has(base)) problems.push(`${where}: Fn::Sub references unknown \${${ref}}`);
            else if (ref !== base && isObj(resources[base])) {
              const r = lookupResource(String((resources[base] as { Type?: Json }).Type));
              const attr = ref.slice(base.length + 1);
              if (r && !(attr in r.attributes)) problems.push(`${where}: Fn::Sub \${${ref}}: ${String((resources[base] as { Type?: Json }).Type)} has no attribute ${attr}`);
            }
          }
        }
      }
      if (k === 'Fn::FindInMap' && Array.isArray(v) && typeof v[0] === 'string' && !(v[0] in mappings)) problems.push(`${where}: Fn::FindInMap of unknown mapping ${v[0]}`);
      if ((k === 'Condition' || k === 'Fn::If') && typeof (Array.isArray(v) ? v[0] : v) === 'string') {
        const c = (Array.isArray(v) ? v[0] : v) as string;
        if (!(c in conditions)) problems.push(`${where}: unknown condition ${c}`);
      }
      checkRefs(v, `${where}.${k}`);
    }
  };

  /** Shape check of one value against its schema type. */
  const checkValue = (value: Json, type: SpecType, where: string): string[] => {
    if (intrinsic(value)) return [];
    switch (type.type) {
      case 'string':
      case 'date-time':
        return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? [] : [`${where}: expected a string`];
      case 'number':
      case 'integer':
        return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) ? [] : [`${where}: expected a number, got ${JSON.stringify(value)}`];
      case 'boolean':
        return typeof value === 'boolean' || value === 'true' || value === 'false' ? [] : [`${where}: expected a boolean, got ${JSON.stringify(value)}`];
      case 'json':
        return [];
      case 'null':
        return value === null ? [] : [`${where}: expected null`];
      case 'tag':
        return isObj(value) && 'Key' in value && 'Value' in value && Object.keys(value).length === 2 ? [] : [`${where}: a tag is {Key, Value}`];
      case 'array':
        if (!Array.isArray(value)) return [`${where}: expected a list`];
        return value.flatMap((v, i) => checkValue(v, type.element!, `${where}[${i}]`));
      case 'map':
        if (!isObj(value)) return [`${where}: expected a mapping`];
        return Object.entries(value).flatMap(([k, v]) => checkValue(v, type.element!, `${where}.${k}`));
      case 'union': {
        const tries = type.types!.map((t) => checkValue(value, t, where));
        return tries.some((t) => t.length === 0) ? [] : tries.sort((a, b) => a.length - b.length)[0]!;
      }
      case 'ref': {
        if (!isObj(value)) return [`${where}: expected a mapping`];
        const def = spec().get('typeDefinition', type.reference as never) as unknown as { properties: SpecProps };
        return checkProps(value, def.properties, where);
      }
      default:
        return [];
    }
  };

  const checkProps = (props: { [k: string]: Json }, schema: SpecProps, where: string): string[] => {
    const out: string[] = [];
    for (const [k, v] of Object.entries(props)) {
      const prop = schema[k];
      if (!prop) out.push(`${where}: unknown property ${k} (valid: ${Object.keys(schema).sort().join(', ')})`);
      else out.push(...checkValue(v, prop.type, `${where}.${k}`));
    }
    for (const [k, prop] of Object.entries(schema)) if (prop.required && !(k in props)) out.push(`${where}: missing required property ${k}`);
    return out;
  };

  for (const [name, res] of Object.entries(resources)) {
    const where = `Resources.${name}`;
    if (!isObj(res) || typeof res.Type !== 'string') {
      problems.push(`${where}: needs a Type`);
      continue;
    }
    for (const k of Object.keys(res)) if (!RESOURCE_KEYS.has(k)) problems.push(`${where}: unknown resource attribute ${k}`);
    const deps = Array.isArray(res.DependsOn) ? res.DependsOn : res.DependsOn === undefined ? [] : [res.DependsOn];
    for (const d of deps) if (typeof d !== 'string' || !(d in resources)) problems.push(`${where}: DependsOn unknown resource ${JSON.stringify(d)}`);
    if (typeof res.Condition === 'string' && !(res.Condition in conditions)) problems.push(`${where}: unknown condition ${res.Condition}`);
    if (res.Type.startsWith('Custom::')) continue;
    const r = lookupResource(res.Type);
    if (!r) {
      problems.push(`${where}: unknown resource type ${res.Type}`);
      continue;
    }
    const props = res.Properties === undefined ? {} : res.Properties;
    if (!isObj(props)) problems.push(`${where}.Properties: expected a mapping`);
    else problems.push(...checkProps(props, r.properties as unknown as SpecProps, `${where}.Properties`));
  }

  for (const section of ['Resources', 'Outputs', 'Conditions'] as const) {
    if (isObj(template[section])) checkRefs(template[section], section);
  }
  if (isObj(template.Outputs)) {
    for (const [name, o] of Object.entries(template.Outputs)) if (!isObj(o) || !('Value' in o)) problems.push(`Outputs.${name}: needs a Value`);
  }
  return problems;
}

interface SpecResource {
  properties: unknown;
  attributes: Record<string, unknown>;
}

function lookupResource(type: string): SpecResource | null {
  const found = spec().lookup('resource', 'cloudFormationType', 'equals', type);
  return found.length > 0 ? (found[0] as unknown as SpecResource) : null;
}
