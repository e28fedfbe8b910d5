import Foundation
import Testing

/// `make release`'s Debian package and tarball on a clean machine: a minimal Debian
/// bookworm root made by mmdebstrap (no Swift in it), the package installed there with
/// `apt-get install ./batch-invite_VERSION_amd64.deb`, then `--version`, `validate` on
/// the samples and `simulate` + `run` on the sample, by the package's binary and by the
/// tarball's, in a chroot.
///
/// The bootstrapped root is kept as a tar file under .build/clean-root, named by a hash of
/// the mmdebstrap command, so only the first run (about 30 s) builds it; each run unpacks
/// a fresh copy (a few seconds) and apt fetches the package's dependencies from the mirror.
@Suite struct CleanRootTests {
    static let mirror = "http://deb.debian.org/debian"
    /// Apt's lists kept in the root, so `apt-get install` there resolves dependencies.
    static let bootstrap = [
        "mmdebstrap", "--quiet", "--variant=apt", "--skip=cleanup/apt/lists", "bookworm",
    ]
    static let cache = Tool.packageRoot.appendingPathComponent(".build/clean-root")

    /// The cached root's tar file, made by mmdebstrap when it is not there yet.
    func cachedRoot(_ tool: Tool) throws -> String {
        let command = (Self.bootstrap + [Self.mirror]).joined(separator: " ")
        let key = try tool.runShell("printf %s '\(command)' | sha256sum | cut -c1-16")
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let tar = Self.cache.appendingPathComponent("bookworm-\(key).tar").path
        if FileManager.default.fileExists(atPath: tar) { return tar }
        try FileManager.default.createDirectory(at: Self.cache, withIntermediateDirectories: true)
        let partial = tar.replacingOccurrences(of: ".tar", with: ".\(getpid()).partial.tar")
        let made = try tool.runShell(
            "\(Self.bootstrap.joined(separator: " ")) '\(partial)' \(Self.mirror) && mv '\(partial)' '\(tar)'",
            seconds: 600)
        try? FileManager.default.removeItem(atPath: partial)
        try #require(made.status == 0, "mmdebstrap: \(made.stdout)\(made.stderr)")
        return tar
    }

    /// Run in the root for each binary: its version, validate on the three samples, and
    /// a run of the Sendoso sample against the simulator, each command's output and exit
    /// code after a `== label` line.
    static let checks = #"""
        check() {
            label=$1 binary=$2
            mkdir -p /tmp/$label && cp /tmp/samples/* /tmp/$label/ && cd /tmp/$label
            echo "== $label --version"; "$binary" --version
            for sample in onboarding.csv onboarding.jsonl sms-invites.csv; do
                target=sendoso; [ $sample != sms-invites.csv ] || target=cyberark-sms
                echo "== $label validate $sample"
                "$binary" validate $sample --target $target 2>/dev/null && echo "exit 0" || echo "exit $?"
            done
            "$binary" simulate --token secret > simulator.out 2>&1 &
            simulator=$!
            for i in $(seq 100); do grep -q listening simulator.out && break; sleep 0.1; done
            echo "== $label run onboarding.csv"
            BATCH_INVITE_TOKEN=secret "$binary" run onboarding.csv --target sendoso \
                --base-url "$(sed -n 's/^listening on //p' simulator.out)" --progress none 2>run.err \
                && echo "exit 0" || echo "exit $?"
            echo "== $label run's standard error"; cat run.err
            kill $simulator; wait $simulator 2>/dev/null || true
        }
        set -u
        export DEBIAN_FRONTEND=noninteractive
        if ! apt-get install -y -q --no-install-recommends "/tmp/release/$DEB" > /tmp/apt.log 2>&1; then
            cat /tmp/apt.log; exit 1
        fi
        echo "== dpkg"; dpkg-query -W -f '${Package} ${Version} ${Status}\n' batch-invite
        echo "== swift"; ls -d /usr/lib/swift /usr/libexec/swift /usr/bin/swift* 2>/dev/null || echo none
        echo "== user"; getent passwd batch-invite | cut -d: -f1,6,7
        echo "== units"; ls /usr/lib/systemd/system/ | grep batch-invite
        echo "== enabled"; find /etc/systemd -name 'batch-invite*' | grep . || echo none
        check deb /usr/bin/batch-invite
        mkdir -p /opt && tar -C /opt -xzf "/tmp/release/$TARBALL"
        check tarball "/opt/${TARBALL%.tar.gz}/batch-invite"
        """#

    /// Each `== label` section of `output`, by label.
    static func sections(_ output: String) -> [String: String] {
        var sections: [String: String] = [:]
        var label = ""
        for line in output.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("== ") {
                label = String(line.dropFirst(3))
            } else {
                sections[label, default: ""] += line + "\n"
            }
        }
        return sections
    }

    @Test func thePackageAndTheTarballWorkOnACleanDebianRootWithoutSwift() throws {
        let release = try ReleaseArtifacts.require()
        guard geteuid() == 0 else {
            let message = "a chroot needs root (make test as root, as CI runs it)"
            if NeededTool.isCI { throw NeededTool.MissingToolUnderCI(message: message) }
            try NeededTool.skip(message)
        }
        try NeededTool.mmdebstrap.require()
        let tool = try Tool()
        let tar = try cachedRoot(tool)
        let root = tool.path("root")
        let samples = Tool.packageRoot.appendingPathComponent("samples").path
        try tool.write("checks.sh", Self.checks)
        let prepared = try tool.runShell(
            """
            set -e; mkdir root; tar -C root -xf '\(tar)'
            mkdir -p root/tmp/release root/tmp/samples
            cp '\(release.deb.path)' '\(release.tarball.path)' root/tmp/release/
            cp '\(samples)'/*.csv '\(samples)'/*.jsonl root/tmp/samples/
            cat /etc/resolv.conf > root/etc/resolv.conf
            cp checks.sh root/tmp/checks.sh
            """, seconds: 120)
        try #require(prepared.status == 0, "\(prepared.stderr)")
        // /proc mounted in a mount namespace of its own, gone when the checks end (the
        // binary reads its arguments from it, as on any real system).
        let result = try tool.runShell(
            "unshare --mount --propagation private sh -c \"mount -t proc proc '\(root)/proc' && "
                + "chroot '\(root)' /usr/bin/env DEB='\(release.deb.lastPathComponent)' "
                + "TARBALL='\(release.tarball.lastPathComponent)' /bin/sh /tmp/checks.sh\"",
            seconds: 300)
        try #require(result.status == 0, "\(result.stdout)\(result.stderr)")
        let sections = Self.sections(result.stdout)
        #expect(
            sections["dpkg"] == "batch-invite \(release.version) install ok installed\n",
            "\(result.stdout)")
        #expect(
            sections["swift"] == "none\n", "Swift in the clean root: \(sections["swift"] ?? "")")
        #expect(sections["user"] == "batch-invite:/var/lib/batch-invite:/usr/sbin/nologin\n")
        #expect(sections["units"] == "batch-invite.service\nbatch-invite.timer\n")
        #expect(sections["enabled"] == "none\n", "the units were enabled")
        // What the binary under test says of the same files, here.
        let here = try Tool()
        for sample in ["onboarding.csv", "onboarding.jsonl", "sms-invites.csv"] {
            try FileManager.default.copyItem(
                atPath: "\(samples)/\(sample)", toPath: here.path(sample))
        }
        for label in ["deb", "tarball"] {
            #expect(sections["\(label) --version"] == "batch-invite \(release.version)\n")
            for sample in ["onboarding.csv", "onboarding.jsonl", "sms-invites.csv"] {
                let target = sample == "sms-invites.csv" ? "cyberark-sms" : "sendoso"
                let expected = try here.run(["validate", sample, "--target", target])
                #expect(
                    sections["\(label) validate \(sample)"]
                        == expected.stdout + "exit \(expected.status)\n",
                    "\(label) validate \(sample)")
            }
            let run =
                (sections["\(label) run onboarding.csv"] ?? "")
                + (sections["\(label) run's standard error"] ?? "")
            #expect(
                run.hasPrefix(
                    "10 rows: 5 invited, 0 failed, 4 invalid, 1 duplicate, 0 not sent; "
                        + "1 blank row skipped\n"), "\(label) run: \(run)")
            #expect(run.contains("\nexit 1\n"), "\(label) run: \(run)")
        }
    }
}
