#!/usr/bin/env python3
"""manifest_check (CTest, label integration): the deployment files agree
with each other. No cluster or Docker engine is needed; this reads files.

Kubernetes (deploy/k8s, deploy/nginx):
  - every kustomization resource and generator file exists;
  - every ConfigMap/Secret a pod mounts is generated or defined;
  - no manifest names a namespace;
  - selectors match pod labels; the StatefulSet's serviceName is a headless
    Service selecting its pods;
  - remotek probes are native gRPC on port 50051; both pods run non-root
    with a read-only root filesystem, no privilege escalation, ALL caps dropped;
  - the proxy's static upstream list (proxy-nginx.conf) names exactly
    remotek-0..N-1.remotek-headless:50051 where N is the StatefulSet's
    replica count and the HPA's maxReplicas (the scaling trade-off: the list
    must match the replica set);
  - the include paths in proxy-nginx.conf are where the shared ConfigMap is
    mounted, with the shipped file names.
Compose: the upstream list in deploy/nginx/nginx.conf names exactly the
remotek-* services of deploy/compose.yaml, and the include files it uses are
the mounted shipped ones.

Usage: manifest_check.py [REPO_ROOT]
"""
import os
import re
import sys

import yaml

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), "..", "..", ".."))
errors = []


def check(cond, message):
    if not cond:
        errors.append(message)
    return cond


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def kustomize(directory, seen=None):
    """Resources and generated names of a kustomization, following
    directory resources."""
    seen = seen if seen is not None else set()
    directory = os.path.normpath(directory)
    if directory in seen:
        return [], set()
    seen.add(directory)
    kfile = os.path.join(directory, "kustomization.yaml")
    if not check(os.path.isfile(kfile), f"missing {kfile}"):
        return [], set()
    k = load_all(kfile)[0]
    docs, generated = [], set()
    for res in k.get("resources", []):
        path = os.path.join(directory, res)
        if os.path.isdir(path):
            d, g = kustomize(path, seen)
            docs += d
            generated |= g
        elif check(os.path.isfile(path), f"{kfile}: resource {res} does not exist"):
            docs += [(os.path.relpath(path, ROOT), d) for d in load_all(path)]
    for gen in k.get("configMapGenerator", []) + k.get("secretGenerator", []):
        generated.add(gen["name"])
        for entry in gen.get("files", []):
            src = entry.split("=", 1)[-1]
            check(os.path.isfile(os.path.join(directory, src)),
                  f"{kfile}: generator {gen['name']} file {src} does not exist")
    return docs, generated


def upstream_servers(conf):
    """`server` lines of the `upstream remotek { ... }` block."""
    m = re.search(r"upstream\s+remotek\s*\{([^}]*)\}", conf)
    return re.findall(r"^\s*server\s+([^\s;]+)", m.group(1), re.M) if m else []


def pod_checks(where, pod_spec, non_root_required=True):
    sc = pod_spec.get("securityContext", {})
    if non_root_required:
        check(sc.get("runAsNonRoot") is True, f"{where}: pod runAsNonRoot is not true")
    for c in pod_spec.get("containers", []):
        csc = c.get("securityContext", {})
        name = f"{where} container {c.get('name')}"
        check(csc.get("readOnlyRootFilesystem") is True, f"{name}: readOnlyRootFilesystem")
        check(csc.get("allowPrivilegeEscalation") is False, f"{name}: allowPrivilegeEscalation")
        check(csc.get("capabilities", {}).get("drop") == ["ALL"], f"{name}: capabilities.drop [ALL]")
        res = c.get("resources", {})
        check("requests" in res and "limits" in res, f"{name}: resources requests and limits")


def main():
    k8s = os.path.join(ROOT, "deploy", "k8s")
    docs, generated = kustomize(k8s)
    by_kind = {}
    for path, d in docs:
        by_kind.setdefault(d.get("kind"), []).append((path, d))
        check("namespace" not in d.get("metadata", {}),
              f"{path}: {d.get('kind')} names a namespace (the manifests are namespace-agnostic)")
    secrets = {d["metadata"]["name"] for _, d in by_kind.get("Secret", [])}
    configmaps = generated | {d["metadata"]["name"] for _, d in by_kind.get("ConfigMap", [])}

    workloads = by_kind.get("StatefulSet", []) + by_kind.get("Deployment", [])
    for path, w in workloads:
        where = f"{path} {w['kind']}/{w['metadata']['name']}"
        spec = w["spec"]
        labels = spec["template"]["metadata"].get("labels", {})
        sel = spec["selector"]["matchLabels"]
        check(all(labels.get(k) == v for k, v in sel.items()), f"{where}: selector does not match pod labels")
        pod = spec["template"]["spec"]
        pod_checks(where, pod)
        for vol in pod.get("volumes", []):
            if "configMap" in vol:
                check(vol["configMap"]["name"] in configmaps,
                      f"{where}: volume {vol['name']} mounts unknown ConfigMap {vol['configMap']['name']}")
            if "secret" in vol:
                check(vol["secret"]["secretName"] in secrets,
                      f"{where}: volume {vol['name']} mounts unknown Secret {vol['secret']['secretName']}")

    sts = [d for _, d in by_kind.get("StatefulSet", []) if d["metadata"]["name"] == "remotek"]
    if not check(len(sts) == 1, "no StatefulSet remotek"):
        return
    sts = sts[0]
    replicas = sts["spec"]["replicas"]
    pod_labels = sts["spec"]["template"]["metadata"]["labels"]
    container = sts["spec"]["template"]["spec"]["containers"][0]
    for probe in ("readinessProbe", "livenessProbe"):
        check(container.get(probe, {}).get("grpc", {}).get("port") == 50051,
              f"StatefulSet remotek: {probe} is not a native gRPC probe on 50051")
    ports = [p["containerPort"] for p in container.get("ports", [])]
    check(ports == [50051], f"StatefulSet remotek: ports {ports}, want only 50051 (no metrics endpoint yet)")

    services = {d["metadata"]["name"]: d for _, d in by_kind.get("Service", [])}
    headless = services.get(sts["spec"]["serviceName"])
    if check(headless is not None, f"StatefulSet serviceName {sts['spec']['serviceName']} is not a Service"):
        check(headless["spec"].get("clusterIP") == "None", "the StatefulSet's Service is not headless")
        check(all(pod_labels.get(k) == v for k, v in headless["spec"]["selector"].items()),
              "the headless Service does not select the remotek pods")
    for name, svc in services.items():
        matched = any(all(w["spec"]["template"]["metadata"]["labels"].get(k) == v
                          for k, v in svc["spec"]["selector"].items()) for _, w in workloads)
        check(matched, f"Service {name} selects no pods")

    hpas = [d for _, d in by_kind.get("HorizontalPodAutoscaler", [])]
    if check(len(hpas) == 1, "want one HorizontalPodAutoscaler"):
        hpa = hpas[0]["spec"]
        check(hpa["scaleTargetRef"]["kind"] == "StatefulSet" and hpa["scaleTargetRef"]["name"] == "remotek",
              "the HPA does not target StatefulSet remotek")
        check(hpa["maxReplicas"] == replicas,
              f"HPA maxReplicas {hpa['maxReplicas']} != StatefulSet replicas {replicas} "
              "(= the names in proxy-nginx.conf's static upstream list)")
    check(len(by_kind.get("PodDisruptionBudget", [])) == 1, "want one PodDisruptionBudget")

    with open(os.path.join(k8s, "proxy-nginx.conf")) as f:
        proxy_conf = f.read()
    names = upstream_servers(proxy_conf)
    want = [f"remotek-{i}.{sts['spec']['serviceName']}:50051" for i in range(replicas)]
    check(names == want, f"proxy-nginx.conf upstream {names} != {want} (StatefulSet replicas {replicas})")
    includes = re.findall(r"^\s*include\s+([^\s;]+);", proxy_conf, re.M)
    proxy = [d for _, d in by_kind.get("Deployment", []) if d["metadata"]["name"] == "remotek-proxy"]
    if check(len(proxy) == 1, "no Deployment remotek-proxy"):
        mounts = {m["mountPath"] for c in proxy[0]["spec"]["template"]["spec"]["containers"]
                  for m in c.get("volumeMounts", [])}
        for inc in includes:
            check(os.path.dirname(inc) in mounts and
                  os.path.isfile(os.path.join(ROOT, "deploy", "nginx", os.path.basename(inc))),
                  f"proxy-nginx.conf include {inc} is not a mounted shipped deploy/nginx file")
    check(sorted(os.path.basename(i) for i in includes) == ["remotek-grpc-proxy.conf", "remotek-upstream.conf"],
          f"proxy-nginx.conf includes {includes}")

    # Compose.
    compose = load_all(os.path.join(ROOT, "deploy", "compose.yaml"))[0]
    replicas_c = sorted(s for s in compose["services"] if re.fullmatch(r"remotek-\d+", s))
    with open(os.path.join(ROOT, "deploy", "nginx", "nginx.conf")) as f:
        compose_conf = f.read()
    names = sorted(upstream_servers(compose_conf))
    check(names == [f"{s}:50051" for s in replicas_c],
          f"deploy/nginx/nginx.conf upstream {names} != compose services {replicas_c}")
    check(len(replicas_c) == 3, f"compose runs {len(replicas_c)} replicas, want 3")
    mounted = {}
    for v in compose["services"]["proxy"].get("volumes", []):
        src, dst = v.split(":")[:2]
        mounted[dst] = os.path.normpath(os.path.join(ROOT, "deploy", src))
    for inc in re.findall(r"^\s*include\s+([^\s;]+);", compose_conf, re.M):
        check(mounted.get(inc) == os.path.join(ROOT, "deploy", "nginx", os.path.basename(inc)),
              f"deploy/nginx/nginx.conf include {inc} is not the mounted shipped file")


main()
if errors:
    for e in errors:
        print("manifest_check: FAIL:", e, file=sys.stderr)
    sys.exit(1)
print("manifest_check: OK")
