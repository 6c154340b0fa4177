package plight.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The service files as built, checked with the tools of the platforms they are for: every shell script through
 * {@code sh -n} and shellcheck, the .deb through lintian, the RPM through rpm, the unit through systemd-analyze.
 * A check whose tool is missing is skipped, naming the package to install ({@code .ci/run} installs them all).
 */
@Timeout(120)
class ServiceFilesIT {
    static Path src() {
        return Path.of(System.getProperty("plight.packaging.src", "src"));
    }

    static Path deb() {
        Path deb = Path.of(System.getProperty("plight.deb", "target/plight.deb"));
        assertTrue(Files.isRegularFile(deb), deb + " is missing; run through 'mvn verify' so that it is built first");
        return deb;
    }

    private record Script(Path file, String shell) {
    }

    /** Every shell script of the project, with the shell it is written for. */
    private static List<Script> scripts() {
        Path root = Path.of(System.getProperty("plight.root", ".."));
        List<Script> all = new ArrayList<>();
        for (String s : List.of("init.d/plightd", "deb/control/preinst", "deb/control/postinst", "deb/control/prerm",
                "deb/control/postrm", "rpm/pre.sh", "rpm/post.sh", "rpm/preun.sh", "rpm/postun.sh", "bin/plight", "bin/plight-bench")) {
            all.add(new Script(src().resolve(s), "sh"));
        }
        all.add(new Script(src().resolve("completion/plight"), "bash"));
        all.add(new Script(root.resolve(".ci/run"), "bash"));
        return all;
    }

    @Test
    void everyShellScriptParses() {
        for (Script s : scripts()) {
            assertTrue(Files.isRegularFile(s.file()), s.file() + " is missing");
            Shell.Result r = Shell.run(s.shell(), "-n", s.file().toString());
            assertEquals(0, r.exit(), r::toString);
        }
    }

    @Test
    void everyShellScriptPassesShellcheck() {
        Assumptions.assumeTrue(Shell.has("shellcheck"), "shellcheck is not installed (Debian: apt-get install shellcheck)");
        List<String> failed = new ArrayList<>();
        for (Script s : scripts()) {
            // Warnings and errors; bin/plight splits its JVM option lists on purpose (an info-level note).
            Shell.Result r = Shell.run("shellcheck", "--severity=warning", "--shell=" + s.shell(), s.file().toString());
            if (r.exit() != 0) failed.add(r.toString());
        }
        assertEquals(List.of(), failed);
    }

    @Test
    void theDebHasNoLintianErrors() {
        Assumptions.assumeTrue(Shell.has("lintian"), "lintian is not installed (Debian: apt-get install lintian)");
        Shell.Result r = Shell.run("lintian", "--tag-display-limit", "0", deb().toString());
        List<String> errors = r.out().lines().filter(l -> l.startsWith("E: ")).toList();
        assertEquals(List.of(), errors, r::toString);
        r.out().lines().filter(l -> l.startsWith("W: ")).forEach(l -> System.out.println("lintian " + l));
    }

    /** The files the .deb installs, directories and symlinks left out. */
    static Set<String> debFiles() {
        Shell.Result r = Shell.run("dpkg-deb", "-c", deb().toString());
        assertEquals(0, r.exit(), r::toString);
        return r.out().lines().map(l -> l.substring(l.indexOf("./") + 1).replaceAll(" -> .*", ""))
                .filter(f -> !f.endsWith("/")).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theDebCarriesTheServiceFiles() {
        Set<String> files = debFiles();
        for (String f : List.of("/lib/systemd/system/plightd.service", "/etc/init.d/plightd", "/etc/plight/plight.conf",
                "/usr/lib/firewalld/services/plight.xml", "/usr/share/man/man1/plight.1.gz", "/usr/share/man/man5/plight.conf.5.gz",
                "/usr/share/bash-completion/completions/plight", "/usr/bin/plight", "/usr/share/plight/bin/plight")) {
            assertTrue(files.contains(f), f + " is not in the .deb: " + files);
        }
        assertTrue(files.stream().noneMatch(f -> f.endsWith("/plight.service")), "the old unit name is still shipped: " + files);
        Shell.Result conffiles = Shell.run("dpkg-deb", "--info", deb().toString(), "conffiles");
        assertEquals(Set.of("/etc/plight/plight.conf", "/etc/init.d/plightd"), Set.copyOf(conffiles.out().lines().toList()), conffiles::toString);
        Shell.Result mode = Shell.run("dpkg-deb", "-c", deb().toString());
        assertTrue(mode.out().lines().anyMatch(l -> l.startsWith("-rwxr-xr-x") && l.endsWith("./etc/init.d/plightd")), mode.out());
    }

    /** The RPM installs what the .deb does, at EL's paths, with the scriptlets EL's conventions ask for. */
    @Test
    void theRpmCarriesTheSameFilesAndItsScriptlets() {
        Path rpm = Path.of(System.getProperty("plight.rpm", "target/plight.rpm"));
        Assumptions.assumeTrue(Files.isRegularFile(rpm), "no RPM was built (rpmbuild is missing; Debian: apt-get install rpm)");
        Shell.Result list = Shell.run("rpm", "-qp", "--qf", "[%{FILENAMES} %{FILEMODES:perms} %{FILEUSERNAME} %{FILEFLAGS:fflags}\\n]", rpm.toString());
        assertEquals(0, list.exit(), list::toString);
        Set<String> rpmFiles = list.out().lines().map(l -> l.split(" ")).filter(f -> !f[1].startsWith("d")).map(f -> f[0])
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> expected = debFiles().stream().filter(f -> !f.startsWith("/usr/share/doc/"))
                .map(f -> f.replace("/lib/systemd/", "/usr/lib/systemd/").replace("/etc/init.d/", "/etc/rc.d/init.d/"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expected, rpmFiles);
        assertTrue(list.out().lines().anyMatch(l -> l.matches("/etc/plight/plight.conf -rw-r--r-- root cn")), "conf not %config(noreplace):\n" + list.out());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("/etc/rc.d/init.d/plightd -rwxr-xr-x root")), list.out());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("/var/lib/plight drwxrwxr-x plight")), list.out());

        Shell.Result arch = Shell.run("rpm", "-qp", "--qf", "%{ARCH} %{NAME} %{VERSION}", rpm.toString());
        assertEquals("noarch plight " + System.getProperty("plight.version"), arch.out(), arch::toString);
        Shell.Result scripts = Shell.run("rpm", "-qp", "--scripts", rpm.toString());
        String s = scripts.out();
        for (String expect : List.of("preinstall scriptlet", "useradd -r -g plight", "postinstall scriptlet",
                "systemctl --no-reload preset plightd.service", "chkconfig --add plightd", "preuninstall scriptlet",
                "disable --now plightd.service", "postuninstall scriptlet", "try-restart plightd.service", "plightd try-restart")) {
            assertTrue(s.contains(expect), () -> "'" + expect + "' not in the RPM's scriptlets:\n" + s);
        }
        Shell.Result requires = Shell.run("rpm", "-qpR", rpm.toString());
        assertTrue(requires.out().contains("java-headless >= 1:17"), requires::toString);
    }

    /** The unit: Type=notify under both names, and systemd's own rating of its sandbox at most 2.0 ("OK"). */
    @Test
    void theUnitIsHardenedToAnExposureOfAtMostTwo() throws IOException {
        Path unit = src().resolve("systemd/plightd.service");
        String text = Files.readString(unit);
        for (String line : List.of("Type=notify", "Alias=plight.service", "User=plight", "NoNewPrivileges=yes",
                "ProtectSystem=strict", "CapabilityBoundingSet=", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
                "SystemCallFilter=@system-service", "StateDirectory=plight", "LogsDirectory=plight", "RuntimeDirectory=plight")) {
            assertTrue(text.lines().anyMatch(line::equals), () -> "no '" + line + "' in " + unit);
        }
        Matcher nofile = Pattern.compile("(?m)^LimitNOFILE=(\\d+)$").matcher(text);
        assertTrue(nofile.find() && Integer.parseInt(nofile.group(1)) > 10000, "LimitNOFILE above max_connections (10000)");

        Assumptions.assumeTrue(Shell.has("systemd-analyze"), "systemd-analyze is not installed (Debian: apt-get install systemd)");
        Shell.Result r = Shell.run("systemd-analyze", "security", "--offline=true", "--no-pager", unit.toString());
        Matcher m = Pattern.compile("Overall exposure level for plightd.service: (\\d+\\.\\d)").matcher(r.out());
        assertTrue(m.find(), r::toString);
        double exposure = Double.parseDouble(m.group(1));
        System.out.println("systemd-analyze security --offline=true plightd.service: exposure " + exposure);
        assertTrue(exposure <= 2.0, () -> "exposure " + exposure + " > 2.0\n" + r.out());
    }

    /**
     * {@code systemctl reload} fails when plight refuses the reload: the unit reloads through {@code plight reload}
     * (exit 1 on refusal), not a SIGHUP whose result only the log shows.
     */
    @Test
    void theUnitReloadsThroughPlightSoThatARefusalFails() throws IOException {
        String text = Files.readString(src().resolve("systemd/plightd.service"));
        assertEquals(List.of("ExecReload=/usr/share/plight/bin/plight -c /etc/plight/plight.conf reload"),
                text.lines().filter(l -> l.startsWith("ExecReload=")).toList());
    }

    /** The unit as systemd reads it; its commands point at a stand-in, as plight is not installed here. */
    @Test
    void theUnitPassesSystemdAnalyzeVerify(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Assumptions.assumeTrue(Shell.has("systemd-analyze"), "systemd-analyze is not installed (Debian: apt-get install systemd)");
        Path plight = dir.resolve("plight");
        Files.writeString(plight, "#!/bin/sh\n");
        Files.setPosixFilePermissions(plight, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path unit = dir.resolve("plightd.service");
        Files.writeString(unit, Files.readString(src().resolve("systemd/plightd.service")).replace("/usr/share/plight/bin/plight", plight.toString()));
        Shell.Result r = Shell.run("systemd-analyze", "verify", "--man=no", unit.toString());
        assertEquals(0, r.exit(), r::toString);
        assertEquals("", r.err(), r::toString);
    }

    @Test
    void theFirewalldServiceOpensTheProbePort() throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(src().resolve("firewalld/plight.xml").toFile());
        Element service = doc.getDocumentElement();
        assertEquals("service", service.getTagName());
        assertEquals("plight", service.getElementsByTagName("short").item(0).getTextContent());
        Element port = (Element) service.getElementsByTagName("port").item(0);
        assertEquals("tcp", port.getAttribute("protocol"));
        assertEquals("10101", port.getAttribute("port"));
        assertEquals(1, service.getElementsByTagName("port").getLength());
    }
}
