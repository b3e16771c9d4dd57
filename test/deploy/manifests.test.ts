import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/rcs/config.ts';

// The Kubernetes deployment (deploy/k8s) rendered offline with `kubectl kustomize` (Debian's kubernetes-client, whose
// kubectl 1.20 has an old built-in kustomize, or any newer kubectl; .ci/run installs it) and every object validated against the Kubernetes OpenAPI schemas kubernetes-models ships, plus the
// platform's own reading of the configuration the manifests give it. Building and running the image is not tested
// here (see docs/deployment.md).

const ROOT = join(import.meta.dirname, '../..');
const OVERLAYS = ['cloud', 'kubeedge-edge', 'second-site'] as const;
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
if (!hasKubectl) console.warn('kubectl is not installed (Debian package kubernetes-client): Kubernetes manifest tests skipped');

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: unknown };
type Model = new (data: never) => { validate(): void };
const MODELS: Record<string, Model> = {
  'v1/Namespace': Namespace as Model,
  'v1/ConfigMap': ConfigMap as Model,
  'v1/Secret': Secret as Model,
  'v1/Service': Service as Model,
  'apps/v1/Deployment': Deployment as Model,
};

function render(overlay: string): Manifest[] {
  const run = spawnSync('kubectl', ['kustomize', join(ROOT, 'deploy/k8s/overlays', overlay)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`kubectl kustomize ${overlay} failed: ${run.stderr}`);
  return parseAllDocuments(run.stdout).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${overlay}: ${doc.errors[0]!.message}`);
    return doc.toJS() as Manifest;
  });
}

/** Schema errors of one object ('' when valid); an object of a kind without a schema here is an error too. */
function schemaErrors(manifest: Manifest): string {
  const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
  if (!Model) return `no schema for ${manifest.apiVersion} ${manifest.kind}`;
  try {
    new Model(withoutBase64Newlines(manifest) as never).validate();
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * kustomize folds long Secret values over several lines; the API server's base64 decoder skips line breaks, the
 * schema's 'byte' format does not, so they are removed before validating.
 */
function withoutBase64Newlines(manifest: Manifest): Manifest {
  if (manifest.kind !== 'Secret' || !manifest.data) return manifest;
  const data = Object.fromEntries(Object.entries(manifest.data as Record<string, string>).map(([k, v]) => [k, v.replace(/\s+/g, '')]));
  return { ...manifest, data };
}

interface Container {
  envFrom: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports: { name: string; containerPort: number }[];
  readinessProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
}
interface PodSpec {
  containers: Container[];
  nodeSelector?: Record<string, string>;
  tolerations?: { key: string; effect: string }[];
  hostNetwork?: boolean;
}
const deploymentOf = (objects: Manifest[]) => objects.find((o) => o.kind === 'Deployment') as Manifest & { spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } } };
const byName = (objects: Manifest[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as (Manifest & { data?: Record<string, string> }) | undefined;

/** The settings the platform reads from the container's environment (ConfigMap and Secret). */
function platformSettings(objects: Manifest[]) {
  const container = deploymentOf(objects).spec.template.spec.containers[0]!;
  const env: Record<string, string> = {};
  for (const source of container.envFrom) {
    if (source.configMapRef) Object.assign(env, byName(objects, 'ConfigMap', source.configMapRef.name)!.data);
    if (source.secretRef) {
      const data = byName(objects, 'Secret', source.secretRef.name)!.data ?? {};
      for (const [k, v] of Object.entries(data)) env[k] = Buffer.from(v, 'base64').toString('utf8');
    }
  }
  return loadConfig([], env);
}

describe.skipIf(!hasKubectl)('Kubernetes manifests (rendered offline, validated against the Kubernetes schemas)', () => {
  it.each(OVERLAYS)('overlay %s renders, and every object is valid', (overlay) => {
    const objects = render(overlay);
    expect(objects.map((o) => o.kind).sort()).toEqual(expect.arrayContaining(['ConfigMap', 'Deployment', 'Secret', 'Service']));
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}: ${schemaErrors(o)}`)).toEqual(objects.map((o) => `${o.kind}/${o.metadata.name}: `));
  });

  it.each(OVERLAYS)('overlay %s runs two replicas with leader election on PostgreSQL, probed at /healthz and /readyz', (overlay) => {
    const objects = render(overlay);
    const deployment = deploymentOf(objects);
    expect(deployment.spec.replicas).toBe(2);
    const container = deployment.spec.template.spec.containers[0]!;
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    // Every ConfigMap and Secret the container reads is in the render, and the platform accepts what they say.
    const settings = platformSettings(objects);
    expect(settings.leaderElection).toBe(true);
    expect(settings.dbUrl).toMatch(/^postgres:\/\/.+\?schema=[a-z_][a-z0-9_]*/);
    expect(settings.demoKey).toBe(false);
    expect(settings.simAgvs).toBe(0);
    // The Service (the site's shared address) selects these pods and exposes the ports the container names.
    const service = objects.find((o) => o.kind === 'Service') as Manifest & { spec: { selector: Record<string, string>; ports: { targetPort: string }[] } };
    const podLabels = deployment.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(service.spec.selector)) expect(podLabels[k]).toBe(v);
    expect(Object.keys(service.spec.selector).length).toBeGreaterThan(0);
    for (const port of service.spec.ports) expect(container.ports.map((p) => p.name)).toContain(port.targetPort);
  });

  it('places the edge site on KubeEdge edge nodes, on the node network, with PostgreSQL in the cloud', () => {
    const objects = render('kubeedge-edge');
    const pod = deploymentOf(objects).spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'node-role.kubernetes.io/edge': '' });
    expect(pod.tolerations?.map((t) => t.key)).toContain('node-role.kubernetes.io/edge');
    expect(pod.hostNetwork).toBe(true);
    expect(new URL(platformSettings(objects).dbUrl).hostname).toBe('postgres.cloud.example.com');
  });

  it('gives a second site its own names, labels and schema', () => {
    const [first, second] = [render('cloud'), render('second-site')];
    const schemaOf = (objects: Manifest[]) => new URL(platformSettings(objects).dbUrl).searchParams.get('schema');
    expect(schemaOf(second)).not.toBe(schemaOf(first));
    expect(deploymentOf(second).metadata.name).not.toBe(deploymentOf(first).metadata.name);
    expect(deploymentOf(second).spec.selector.matchLabels['unifleet.io/site']).toBe('site-b');
  });

  it('the schema check is real: a broken object is rejected', () => {
    const deployment = structuredClone(deploymentOf(render('cloud')));
    (deployment.spec.template.spec.containers[0]!.ports[0] as { containerPort: unknown }).containerPort = 'eighty';
    expect(schemaErrors(deployment)).toMatch(/containerPort must be integer/);
    expect(schemaErrors({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } })).toMatch(/no schema/);
  });
});
