import Foundation
import Testing

/// The release: one version everywhere (VERSION), the Debian package as `dpkg-deb` and
/// `lintian` see it, and `make install` / `make uninstall`.
@Suite struct ReleaseTests {
    static func read(_ path: String) throws -> String {
        try String(contentsOf: Tool.packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func theVersionIsVERSIONsInTheBinaryTheChangelogAndTheRecipes() throws {
        let version = try ReleaseArtifacts.version()
        #expect(version.wholeMatch(of: /[0-9]+\.[0-9]+\.[0-9]+/) != nil, "VERSION: \(version)")
        let printed = try Tool().run(["--version"])
        #expect(
            printed.stdout == "batch-invite \(version)\n",
            "set BatchInviteVersion.current to VERSION's \(version)")
        let changelog = try Self.read("CHANGELOG.md")
        let newest = changelog.firstMatch(
            of: /\n## \[([0-9][^\]]*)\] - [0-9]{4}-[0-9]{2}-[0-9]{2}\n/)
        #expect(newest?.1 == Substring(version), "CHANGELOG.md's newest entry is not \(version)")
        // The image's tag: the CronJob's image, and what the README and the Dockerfile say
        // to build and run.
        let tag = "batch-invite:\(version)"
        let cronjob = try Self.read("deploy/kubernetes/cronjob.yaml")
        let images = cronjob.matches(of: /image: (\S+)/).map { String($0.1) }
        #expect(!images.isEmpty && images.allSatisfy { $0.hasSuffix("/\(tag)") }, "\(images)")
        let readme = try Self.read("README.md")
        for name in [
            "batch-invite_\(version)_amd64.deb", "batch-invite-\(version)-linux-x86_64.tar.gz", tag,
        ] {
            let named = readme.contains(name)
            #expect(named, "the README does not name \(name)")
        }
        #expect(try Self.read("Dockerfile").contains("docker build -t \(tag) ."))
        #expect(
            try Self.read("deploy/batch-invite-nightly.1").contains("\"batch-invite \(version)\""),
            "batch-invite-nightly.1's .TH line")
    }

    @Test func theImageIsBuiltWithTheReleaseFlags() throws {
        let makefile = try Self.read("Makefile")
        let flags = makefile.firstMatch(of: /\nRELEASE_FLAGS := ([^\n]+)\n/)?.1
        #expect(flags != nil, "no RELEASE_FLAGS in the Makefile")
        let dockerfile = try Self.read("Dockerfile")
        #expect(
            dockerfile.contains("RUN swift build \(flags ?? "")"), "RELEASE_FLAGS: \(flags ?? "")")
        #expect(dockerfile.contains("strip --remove-section=.comment"))
    }

    @Test func thePackageDependsOnWhatTheBinaryLinksAndOpensAndHoldsItsFiles() throws {
        let release = try ReleaseArtifacts.require()
        let tool = try Tool()
        let info = try tool.runShell("dpkg-deb -f '\(release.deb.path)' Package Version Depends")
        #expect(info.status == 0, "\(info.stderr)")
        let fields = Dictionary(
            info.stdout.split(separator: "\n").map { line in
                let parts = line.split(separator: ":", maxSplits: 1)
                return (
                    String(parts[0]),
                    parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
                )
            }, uniquingKeysWith: { first, _ in first })
        #expect(fields["Package"] == "batch-invite")
        #expect(fields["Version"] == release.version)
        let depends = (fields["Depends"] ?? "").split(separator: ",").map {
            String($0.trimmingCharacters(in: .whitespaces).split(separator: " ")[0])
        }
        // dpkg-shlibdeps' (what the binary links), libcurl4 (opened when it first sends),
        // and a systemd-sysusers for postinst.
        for package in ["libc6", "libcsv3", "libgcc-s1", "libstdc++6", "libcurl4"] {
            #expect(depends.contains(package), "Depends: \(fields["Depends"] ?? "")")
        }
        let contents = try tool.runShell("dpkg-deb -c '\(release.deb.path)' | awk '{print $6}'")
        let files = Set(contents.stdout.split(separator: "\n").map { String($0.dropFirst()) })
        for file in [
            "/usr/bin/batch-invite", "/usr/bin/batch-invite-nightly",
            "/usr/share/man/man1/batch-invite-nightly.1.gz",
            "/usr/share/man/man1/batch-invite.1.gz",
            "/usr/share/bash-completion/completions/batch-invite",
            "/usr/share/zsh/vendor-completions/_batch-invite",
            "/usr/share/fish/vendor_completions.d/batch-invite.fish",
            "/usr/lib/systemd/system/batch-invite.service",
            "/usr/lib/systemd/system/batch-invite.timer",
            "/usr/lib/sysusers.d/batch-invite.conf",
            "/usr/share/doc/batch-invite/copyright",
            "/usr/share/doc/batch-invite/changelog.Debian.gz",
            "/usr/share/doc/batch-invite/examples/onboarding.conf",
        ] {
            #expect(files.contains(file), "\(file) is not in the package")
        }
        // Installed, not enabled: nothing under /etc, no maintainer script calls systemctl.
        #expect(!files.contains { $0.hasPrefix("/etc/") })
        let postinst = try tool.runShell("dpkg-deb -I '\(release.deb.path)' postinst")
        #expect(postinst.stdout.contains("systemd-sysusers batch-invite.conf"))
        #expect(!postinst.stdout.contains("systemctl"))
        // The service calls the package's binary.
        let service = try tool.runShell(
            "dpkg-deb --fsys-tarfile '\(release.deb.path)' "
                + "| tar -xO ./usr/lib/systemd/system/batch-invite.service")
        #expect(service.stdout.contains("\nExecStart=/usr/bin/batch-invite "), "\(service.stdout)")
        #expect(service.stdout.contains("\nDocumentation=man:batch-invite(1)\n"))
    }

    @Test func theTarballHoldsTheBinaryItsLicenseAndItsDocumentation() throws {
        let release = try ReleaseArtifacts.require()
        let listing = try Tool().runShell("tar -tzvf '\(release.tarball.path)'")
        #expect(listing.status == 0, "\(listing.stderr)")
        let top = "batch-invite-\(release.version)-linux-x86_64/"
        let entries = listing.stdout.split(separator: "\n").map { line in
            (mode: String(line.prefix(10)), path: String(line.split(separator: " ").last ?? ""))
        }
        #expect(entries.allSatisfy { $0.path.hasPrefix(top) }, "\(entries.map(\.path))")
        for (file, mode) in [
            ("batch-invite", "-rwxr-xr-x"), ("batch-invite-nightly", "-rwxr-xr-x"),
            ("LICENSE", "-rw-r--r--"), ("README.md", "-rw-r--r--"), ("CHANGELOG.md", "-rw-r--r--"),
            ("doc/batch-invite-nightly.1", "-rw-r--r--"), ("doc/batch-invite.1", "-rw-r--r--"),
            ("complete/batch-invite.bash", "-rw-r--r--"), ("complete/_batch-invite", "-rw-r--r--"),
            ("complete/batch-invite.fish", "-rw-r--r--"),
            ("systemd/batch-invite.service", "-rw-r--r--"),
        ] {
            let entry = entries.first { $0.path == top + file }
            #expect(entry?.mode == mode, "\(file): \(entry.map { "\($0)" } ?? "missing")")
        }
        let license = try String(
            contentsOf: Tool.packageRoot.appendingPathComponent("LICENSE"), encoding: .utf8)
        let apache =
            license.contains("Apache License") && license.contains("Version 2.0, January 2004")
        #expect(apache, "LICENSE is not the Apache License 2.0")
    }

    /// Every warning lintian has is overridden with its reason (packaging/debian/
    /// lintian-overrides); infos and pedantic tags too.
    @Test func lintianFindsNothingThePackageDoesNotExplain() throws {
        let release = try ReleaseArtifacts.require()
        try NeededTool.lintian.require()
        let result = try Tool().runShell(
            "lintian --pedantic --display-info '\(release.deb.path)'", seconds: 300)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let tags = result.stdout.split(separator: "\n").filter {
            $0.range(of: #"^[EWIPX]: "#, options: .regularExpression) != nil
        }
        #expect(tags.isEmpty, "\(tags.joined(separator: "\n"))")
    }

    /// `make install` with PREFIX and DESTDIR puts the files where GNU programs do, and
    /// `make uninstall` with the same variables takes them all away.
    @Test func makeInstallAndUninstallFollowPrefixAndDESTDIR() throws {
        _ = try ReleaseArtifacts.require()
        let tool = try Tool()
        let destdir = tool.path("stage")
        // install-files: what `make install` copies once it has built (a build here would
        // wait on the lock of the build running these tests).
        let make =
            "env -u MAKEFLAGS -u MAKELEVEL make --no-print-directory -C '\(Tool.packageRoot.path)'"
        let installed = try tool.runShell(
            "\(make) install-files PREFIX=/usr/local DESTDIR='\(destdir)' && "
                + "cd '\(destdir)' && find . -type f | sort")
        #expect(installed.status == 0, "\(installed.stderr)")
        let files = installed.stdout.split(separator: "\n").filter { $0.hasPrefix("./") }
            .map { String($0.dropFirst()) }
        for file in [
            "/usr/local/bin/batch-invite", "/usr/local/bin/batch-invite-nightly",
            "/usr/local/share/man/man1/batch-invite-nightly.1",
            "/usr/local/share/man/man1/batch-invite.1",
            "/usr/local/share/bash-completion/completions/batch-invite",
            "/usr/local/share/zsh/site-functions/_batch-invite",
            "/usr/local/share/fish/vendor_completions.d/batch-invite.fish",
            "/usr/local/share/doc/batch-invite/README.md",
            "/usr/local/share/doc/batch-invite/LICENSE",
            "/usr/local/share/doc/batch-invite/examples/onboarding.conf",
        ] {
            #expect(files.contains(file), "\(file) not installed: \(files)")
        }
        #expect(files.allSatisfy { $0.hasPrefix("/usr/local/") }, "\(files)")
        let mode =
            try FileManager.default.attributesOfItem(
                atPath: destdir + "/usr/local/bin/batch-invite")[.posixPermissions] as? Int
        #expect(mode == 0o755)
        let version = try tool.runShell("'\(destdir)/usr/local/bin/batch-invite' --version")
        #expect(version.stdout == "batch-invite \(try ReleaseArtifacts.version())\n")
        // A directory variable of its own, as GNU's are.
        let bindir = try tool.runShell(
            "\(make) install-files PREFIX=/usr/local bindir=/opt/tools DESTDIR='\(destdir)2' "
                + "&& ls '\(destdir)2/opt/tools'")
        #expect(bindir.stdout.hasSuffix("batch-invite\nbatch-invite-nightly\n"), "\(bindir.stderr)")
        let uninstalled = try tool.runShell(
            "\(make) uninstall PREFIX=/usr/local DESTDIR='\(destdir)' > /dev/null && "
                + "cd '\(destdir)' && find . -type f")
        #expect(uninstalled.status == 0, "\(uninstalled.stderr)")
        #expect(uninstalled.stdout.isEmpty, "left behind: \(uninstalled.stdout)")
        #expect(
            !FileManager.default.fileExists(atPath: destdir + "/usr/local/share/doc/batch-invite"))
    }
}
