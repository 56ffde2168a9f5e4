/*
 * /init of an initramfs made with `scripts/initramfs --ima-cert CERT --ima-policy POLICY`: before any other
 * program runs, it loads the application certificates (/etc/ima/keys/ *.der) into the IMA keyring and the
 * IMA policy (/etc/ima/policy) into the kernel, then executes /sbin/init (the initramfs's own init) with the
 * same arguments and environment. Any failure is fatal: it prints one line and powers the machine off, so
 * that nothing runs under a policy that was not loaded.
 *
 * Called as ima-attach FILE...: writes each FILE.sig (as `trustbit app sign --sigfile` or `evmctl ima_sign
 * --sigfile` writes it) into FILE's security.ima attribute, for files copied onto a file system that keeps
 * extended attributes (busybox has no setfattr; a cpio archive carries no attributes).
 *
 * The keyring: a kernel without CONFIG_INTEGRITY_TRUSTED_KEYRING (Debian's) looks for a keyring named "_ima"
 * with request_key() from the first process whose file it appraises, and keeps it from then on
 * (security/integrity/digsig.c, integrity_digsig_verify). A keyring linked into root's user keyring is
 * found from every process of root, as `keyctl newring _ima @u` (dracut's 98integrity) makes it. The
 * certificates are X.509 in DER; the kernel names each key by its subject and subject key identifier, and
 * finds it by the key id in the signature (security/integrity/digsig_asymmetric.c).
 *
 * The policy: written one rule per write(2) to securityfs's ima/policy, since the kernel parses what one
 * write gives it and refuses the whole update on a bad rule (security/integrity/ima/ima_fs.c,
 * ima_write_policy); Documentation/ABI/testing/ima_policy gives the rule syntax. securityfs is mounted on a
 * directory of its own and unmounted again, so the initramfs's init finds /sys as the kernel left it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#define KEYS_DIR "/etc/ima/keys"
#define POLICY_FILE "/etc/ima/policy"
#define SECURITYFS_DIR "/.ima-securityfs"
#define NEXT_INIT "/sbin/init"
/* Largest certificate, policy and signature file read; the kernel takes a signature of at most one page. */
#define MAX_CERT (64 * 1024)
#define MAX_POLICY (256 * 1024)
#define MAX_SIG 4096
/* security.ima type byte of a digital signature (EVM_IMA_XATTR_DIGSIG, security/integrity/integrity.h). */
#define IMA_XATTR_DIGSIG 3

static int in_init;
static const char *prog = "ima-init";

static void die(const char *fmt, const char *arg, int err) __attribute__((noreturn));
static void die(const char *fmt, const char *arg, int err)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fprintf(stderr, "\n");
	if (!in_init)
		exit(1);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

/* Reads all of PATH (at most MAX bytes) into a new buffer; *len gets its length. */
static char *read_file(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("cannot open %s", path, errno);
	char *buf = malloc(max + 1);
	if (!buf)
		die("out of memory reading %s", path, 0);
	size_t n = 0;
	for (;;) {
		ssize_t r = read(fd, buf + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("cannot read %s", path, errno);
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max)
			die("%s is too large", path, 0);
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static long add_key(const char *type, const char *desc, const void *payload, size_t len, long ring)
{
	return syscall(SYS_add_key, type, desc, payload, len, ring);
}

static void load_keys(void)
{
	long ring = add_key("keyring", "_ima", NULL, 0, KEY_SPEC_USER_KEYRING);
	if (ring < 0)
		die("cannot create the %s keyring", "_ima", errno);
	DIR *d = opendir(KEYS_DIR);
	if (!d)
		die("cannot open %s", KEYS_DIR, errno);
	int loaded = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t nl = strlen(e->d_name);
		if (nl < 5 || strcmp(e->d_name + nl - 4, ".der") != 0)
			continue;
		char path[512];
		if (snprintf(path, sizeof path, "%s/%s", KEYS_DIR, e->d_name) >= (int)sizeof path)
			die("certificate name too long: %s", e->d_name, 0);
		size_t len;
		char *der = read_file(path, MAX_CERT, &len);
		/* The kernel parses the certificate and refuses what it cannot use (EBADMSG, ENOPKG for an
		 * algorithm it lacks, e.g. ECDSA in a kernel without CONFIG_CRYPTO_ECDSA). */
		if (add_key("asymmetric", NULL, der, len, ring) < 0)
			die("the kernel refused the certificate %s", path, errno);
		free(der);
		loaded++;
	}
	closedir(d);
	if (loaded == 0)
		die("no certificate (*.der) in %s", KEYS_DIR, 0);
	fprintf(stderr, "ima-init: %d certificate(s) in the _ima keyring\n", loaded);
}

static void load_policy(void)
{
	size_t len;
	char *text = read_file(POLICY_FILE, MAX_POLICY, &len);
	if (memchr(text, '\0', len))
		die("%s holds a NUL byte", POLICY_FILE, 0);
	if (mkdir(SECURITYFS_DIR, 0700) < 0 && errno != EEXIST)
		die("cannot create %s", SECURITYFS_DIR, errno);
	if (mount("securityfs", SECURITYFS_DIR, "securityfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die("cannot mount securityfs on %s", SECURITYFS_DIR, errno);
	int fd = open(SECURITYFS_DIR "/ima/policy", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die("cannot open %s (a policy was loaded already, or IMA is off)", SECURITYFS_DIR "/ima/policy", errno);
	int rules = 0;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		const char *p = line + strspn(line, " \t");
		if (*p == '\0' || *p == '#')
			continue;
		size_t n = strlen(line);
		line[n] = '\n'; /* the kernel takes a rule with its newline; the NUL it overwrites ended the line */
		ssize_t w = write(fd, line, n + 1);
		line[n] = '\0';
		if (w != (ssize_t)(n + 1))
			die("the kernel refused the IMA policy rule \"%s\"", line, w < 0 ? errno : EIO);
		rules++;
	}
	/* Closing the file makes the rules the active policy (ima_release_policy). */
	if (close(fd) < 0)
		die("loading %s failed", POLICY_FILE, errno);
	if (rules == 0)
		die("%s holds no rule", POLICY_FILE, 0);
	if (umount(SECURITYFS_DIR) < 0)
		die("cannot unmount %s", SECURITYFS_DIR, errno);
	rmdir(SECURITYFS_DIR);
	free(text);
	fprintf(stderr, "ima-init: IMA policy of %d rule(s) loaded\n", rules);
}

static int attach(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: ima-attach FILE... (writes FILE.sig into FILE's security.ima)\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		char sigpath[4096];
		if (snprintf(sigpath, sizeof sigpath, "%s.sig", argv[i]) >= (int)sizeof sigpath)
			die("file name too long: %s", argv[i], 0);
		size_t len;
		char *sig = read_file(sigpath, MAX_SIG, &len);
		if (len < 2 || (unsigned char)sig[0] != IMA_XATTR_DIGSIG)
			die("%s is not an IMA signature (type 3)", sigpath, 0);
		if (setxattr(argv[i], "security.ima", sig, len, 0) < 0)
			die("cannot set security.ima of %s", argv[i], errno);
		free(sig);
	}
	return 0;
}

int main(int argc, char **argv, char **envp)
{
	const char *name = strrchr(argv[0], '/');
	name = name ? name + 1 : argv[0];
	if (strcmp(name, "ima-attach") == 0) {
		prog = "ima-attach";
		return attach(argc, argv);
	}
	if (getpid() != 1) {
		fprintf(stderr, "ima-init: runs as the initramfs's /init (process 1), or as ima-attach FILE...\n");
		return 2;
	}
	in_init = 1;
	load_keys();
	load_policy();
	execve(NEXT_INIT, argv, envp);
	die("cannot execute %s", NEXT_INIT, errno);
}
