/*
 * asconf_driver: a usrsctp peer for mobisctp's interop tests of SCTP-AUTH
 * (RFC 4895) and Dynamic Address Reconfiguration (RFC 5061). The tests in
 * ../asconf_linux_test.go build it with gcc against libusrsctp and run it
 * in a private network namespace. It speaks SCTP over UDP (RFC 6951) only.
 *
 *   asconf_driver client UDP_PORT PEER_UDP_PORT PEER_ADDR PEER_PORT ADDR NEW_ADDR COUNT
 *
 *     Bound to ADDR only, connects to PEER_ADDR:PEER_PORT and sends COUNT
 *     messages (phase 1). Then it adds NEW_ADDR to the association, for
 *     which usrsctp sends an ASCONF with Add IP Address, and waits for a
 *     line on its standard input: the test writes one when the peer has
 *     acknowledged. Once usrsctp has processed the ASCONF-ACK too, it asks
 *     the peer to make NEW_ADDR its primary destination (ASCONF with Set
 *     Primary Address) and sends COUNT more messages (phase 2). At the end
 *     of its standard input it shuts the association down.
 *
 *   asconf_driver server UDP_PORT PEER_UDP_PORT ADDR PORT
 *
 *     Bound to ADDR:PORT only, accepts one association and reads messages
 *     until the peer shuts down, checking each one. It reports the peer's
 *     address changes (those its ASCONFs ask for) and how many messages of
 *     each phase arrived.
 *
 * UDP_PORT is the local UDP encapsulation port, PEER_UDP_PORT the peer's.
 * Every message of phase p (1 or 2) goes on stream p with MESSAGE_PPID;
 * message_len and message_byte fix its content, as the Go test does.
 * Standard output reports progress one line at a time; errors go to
 * standard error and exit with status 1.
 */

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <usrsctp.h>

/*
 * The PPID of every message: ppid in the Go test. tshark decodes some
 * small PPIDs as other protocols (1 is IUA, 2 is M2UA).
 */
#define MESSAGE_PPID 0x6d6f6269

/* Largest message and the receive buffer, which holds any message whole. */
#define MAX_MESSAGE 3000
#define RECV_BUFFER 65536

/* How long the client waits for the ASCONF-ACK once the peer has sent it. */
#define ASCONF_WAIT_MS 5000

/* How long usrsctp's iterator thread may take to start. */
#define ITERATOR_WAIT_MS 5000

/* message_len and message_byte define message i (from 0) of a phase. */
static size_t
message_len(int phase, int i)
{
	return 1 + (size_t)((i * 397 + phase * 101) % MAX_MESSAGE);
}

static uint8_t
message_byte(int phase, int i, size_t j)
{
	return (uint8_t)(phase * 64 + i * 7 + (int)j);
}

static void fail(const char *format, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void
fail(const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	fprintf(stderr, "error: ");
	vfprintf(stderr, format, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

/* usrsctp's own messages (its debug output stays off) go to stderr. */
static void
usrsctp_log(const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	vfprintf(stderr, format, ap);
	va_end(ap);
}

/* ipv4 returns the socket address ADDR:port, or fails. */
static struct sockaddr_in
ipv4(const char *addr, uint16_t port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fail("%s is not an IPv4 address", addr);
	}
	return sin;
}

static uint16_t
port_arg(const char *s)
{
	long v = strtol(s, NULL, 10);

	if (v <= 0 || v > 65535) {
		fail("bad port %s", s);
	}
	return (uint16_t)v;
}

/*
 * iterator_waiting reports whether usrsctp's iterator thread is asleep,
 * which after its start means waiting for work. The kernel shows the
 * thread by its name in /proc/self/task/TID/stat: "TID (NAME) STATE ...".
 */
static int
iterator_waiting(void)
{
	char path[64], line[256];
	struct dirent *e;
	DIR *tasks;
	FILE *f;
	int asleep = 0;

	if ((tasks = opendir("/proc/self/task")) == NULL) {
		fail("opendir /proc/self/task: %s", strerror(errno));
	}
	while (!asleep && (e = readdir(tasks)) != NULL) {
		snprintf(path, sizeof(path), "/proc/self/task/%.20s/stat", e->d_name);
		if ((f = fopen(path, "r")) == NULL) {
			continue; /* "." and "..", or a thread that ended */
		}
		if (fgets(line, sizeof(line), f) != NULL && strstr(line, " (SCTP iterator) S ") != NULL) {
			asleep = 1;
		}
		fclose(f);
	}
	closedir(tasks);
	return asleep;
}

/*
 * await_iterator waits until usrsctp's iterator thread waits for work.
 *
 * usrsctp_bindx hands an address change to that thread, which queues the
 * ASCONFs. But in usrsctp 0.9.5 the thread, once started, waits for a
 * wakeup without looking at its queue first: work handed over before it
 * first waits stays queued until the next address change. On a busy
 * machine the thread was seen not to have run at all when the client,
 * tens of milliseconds later, added its address; no ASCONF was ever sent.
 */
static void
await_iterator(void)
{
	int waited;

	for (waited = 0; !iterator_waiting(); waited++) {
		if (waited >= ITERATOR_WAIT_MS) {
			fail("usrsctp's iterator thread did not start within %d ms", ITERATOR_WAIT_MS);
		}
		usleep(1000);
	}
}

/*
 * start initializes usrsctp on UDP port udp_port and makes a one-to-one
 * socket that reports association and peer address changes.
 */
static struct socket *
start(uint16_t udp_port)
{
	static const uint16_t events[] = {
		SCTP_ASSOC_CHANGE, SCTP_PEER_ADDR_CHANGE, SCTP_REMOTE_ERROR, SCTP_SEND_FAILED_EVENT,
	};
	struct sctp_event event;
	struct socket *sock;
	size_t i;

	usrsctp_init(udp_port, NULL, usrsctp_log);
	await_iterator();
	/* On by default; set here so that the test does not depend on it. */
	usrsctp_sysctl_set_sctp_auth_enable(1);
	usrsctp_sysctl_set_sctp_asconf_enable(1);
	/* Only the explicit usrsctp_bindx calls below change addresses. */
	usrsctp_sysctl_set_sctp_auto_asconf(0);
	/* A CRC32c on every packet, loopback too. */
	usrsctp_sysctl_set_sctp_no_csum_on_loopback(0);

	sock = usrsctp_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
	if (sock == NULL) {
		fail("usrsctp_socket: %s", strerror(errno));
	}
	memset(&event, 0, sizeof(event));
	event.se_assoc_id = SCTP_ALL_ASSOC;
	event.se_on = 1;
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		event.se_type = events[i];
		if (usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_EVENT, &event, sizeof(event)) < 0) {
			fail("setsockopt SCTP_EVENT: %s", strerror(errno));
		}
	}
	return sock;
}

/*
 * encapsulate makes usrsctp send to the peer's UDP port udp_port. A client
 * needs it to reach the peer at all. A server answers an INIT on the UDP
 * port the INIT came from, but gives an address that the peer adds with
 * an ASCONF the port set here: with none, it sends there over raw IP.
 */
static void
encapsulate(struct socket *sock, uint16_t udp_port)
{
	struct sctp_udpencaps encaps;

	memset(&encaps, 0, sizeof(encaps));
	encaps.sue_address.ss_family = AF_INET;
	encaps.sue_port = htons(udp_port);
	if (usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT, &encaps, sizeof(encaps)) < 0) {
		fail("setsockopt SCTP_REMOTE_UDP_ENCAPS_PORT: %s", strerror(errno));
	}
}

/*
 * bind_only adds addr:port to the addresses of sock. The first call binds
 * sock to that address alone, where binding to INADDR_ANY would take in
 * every address of the host; on a connected socket, a call adds the
 * address to the association.
 */
static void
bind_only(struct socket *sock, const char *addr, uint16_t port)
{
	struct sockaddr_in sin = ipv4(addr, port);

	if (usrsctp_bindx(sock, (struct sockaddr *)&sin, 1, SCTP_BINDX_ADD_ADDR) < 0) {
		fail("usrsctp_bindx %s: %s", addr, strerror(errno));
	}
}

static const char *
assoc_state(uint16_t state)
{
	switch (state) {
	case SCTP_COMM_UP: return "SCTP_COMM_UP";
	case SCTP_COMM_LOST: return "SCTP_COMM_LOST";
	case SCTP_RESTART: return "SCTP_RESTART";
	case SCTP_SHUTDOWN_COMP: return "SCTP_SHUTDOWN_COMP";
	case SCTP_CANT_STR_ASSOC: return "SCTP_CANT_STR_ASSOC";
	default: return "UNKNOWN";
	}
}

static const char *
addr_state(uint32_t state)
{
	switch (state) {
	case SCTP_ADDR_AVAILABLE: return "SCTP_ADDR_AVAILABLE";
	case SCTP_ADDR_UNREACHABLE: return "SCTP_ADDR_UNREACHABLE";
	case SCTP_ADDR_REMOVED: return "SCTP_ADDR_REMOVED";
	case SCTP_ADDR_ADDED: return "SCTP_ADDR_ADDED";
	case SCTP_ADDR_MADE_PRIM: return "SCTP_ADDR_MADE_PRIM";
	case SCTP_ADDR_CONFIRMED: return "SCTP_ADDR_CONFIRMED";
	default: return "UNKNOWN";
	}
}

/*
 * notification prints a notification, one line, and returns the new state
 * of the association for an association change, or 0.
 */
static uint16_t
notification(const union sctp_notification *n, size_t len)
{
	char buf[INET6_ADDRSTRLEN];
	const struct sockaddr_in *sin;

	if (len < sizeof(n->sn_header) || n->sn_header.sn_length != len) {
		return 0;
	}
	switch (n->sn_header.sn_type) {
	case SCTP_ASSOC_CHANGE:
		printf("association change: %s\n", assoc_state(n->sn_assoc_change.sac_state));
		return n->sn_assoc_change.sac_state;
	case SCTP_PEER_ADDR_CHANGE:
		sin = (const struct sockaddr_in *)&n->sn_paddr_change.spc_aaddr;
		if (sin->sin_family != AF_INET || inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf)) == NULL) {
			strcpy(buf, "?");
		}
		printf("peer address %s: %s\n", buf, addr_state(n->sn_paddr_change.spc_state));
		break;
	case SCTP_REMOTE_ERROR:
		printf("remote error: cause %u\n", ntohs(n->sn_remote_error.sre_error));
		break;
	case SCTP_SEND_FAILED_EVENT:
		printf("send failed: error %u\n", n->sn_send_failed_event.ssfe_error);
		break;
	}
	return 0;
}

/* send_phase sends the count messages of a phase. */
static void
send_phase(struct socket *sock, int phase, int count)
{
	uint8_t msg[MAX_MESSAGE];
	struct sctp_sndinfo info;
	size_t j, len, total = 0;
	int i;

	memset(&info, 0, sizeof(info));
	info.snd_sid = (uint16_t)phase;
	info.snd_ppid = htonl(MESSAGE_PPID); /* PPIDs go in network order */
	for (i = 0; i < count; i++) {
		len = message_len(phase, i);
		for (j = 0; j < len; j++) {
			msg[j] = message_byte(phase, i, j);
		}
		/* The socket blocks while its send buffer is full. */
		if (usrsctp_sendv(sock, msg, len, NULL, 0, &info, sizeof(info), SCTP_SENDV_SNDINFO, 0) != (ssize_t)len) {
			fail("sending message %d of phase %d: %s", i, phase, strerror(errno));
		}
		total += len;
	}
	printf("phase %d sent: %d messages, %zu bytes\n", phase, count, total);
}

/* has_local reports whether the association uses the local address addr. */
static int
has_local(struct socket *sock, const struct sockaddr_in *addr)
{
	struct sockaddr *addrs;
	const struct sockaddr_in *sin;
	int i, n, found = 0;

	n = usrsctp_getladdrs(sock, 0, &addrs);
	if (n < 0) {
		fail("usrsctp_getladdrs: %s", strerror(errno));
	}
	/* On Linux a sockaddr carries no length: the list is an array. */
	sin = (const struct sockaddr_in *)addrs;
	for (i = 0; i < n; i++) {
		if (sin[i].sin_family == AF_INET && sin[i].sin_addr.s_addr == addr->sin_addr.s_addr) {
			found = 1;
		}
	}
	if (n > 0) {
		usrsctp_freeladdrs(addrs);
	}
	return found;
}

/*
 * await_end reads notifications, which are all the client receives, until
 * the association ends; it returns the final state.
 */
static uint16_t
await_end(struct socket *sock)
{
	static char buf[RECV_BUFFER];
	uint16_t state;
	ssize_t n;
	int flags;

	for (;;) {
		flags = 0;
		n = usrsctp_recvv(sock, buf, sizeof(buf), NULL, NULL, NULL, NULL, NULL, &flags);
		if (n <= 0) {
			return 0;
		}
		if (!(flags & MSG_NOTIFICATION)) {
			fail("unexpected data from the peer");
		}
		state = notification((const union sctp_notification *)buf, (size_t)n);
		if (state == SCTP_SHUTDOWN_COMP || state == SCTP_COMM_LOST) {
			return state;
		}
	}
}

static int
client(int argc, char *argv[])
{
	struct sockaddr_in peer, added;
	struct sctp_setpeerprim prim;
	struct socket *sock;
	int count, waited;

	if (argc != 9) {
		fail("usage: client UDP_PORT PEER_UDP_PORT PEER_ADDR PEER_PORT ADDR NEW_ADDR COUNT");
	}
	peer = ipv4(argv[4], port_arg(argv[5]));
	added = ipv4(argv[7], 0);
	if ((count = atoi(argv[8])) <= 0) {
		fail("bad message count %s", argv[8]);
	}

	sock = start(port_arg(argv[2]));
	encapsulate(sock, port_arg(argv[3]));
	bind_only(sock, argv[6], 0);
	if (usrsctp_connect(sock, (struct sockaddr *)&peer, sizeof(peer)) < 0) {
		fail("usrsctp_connect: %s", strerror(errno));
	}
	printf("connected\n");
	send_phase(sock, 1, count);

	/*
	 * usrsctp sends an ASCONF for the new address. Until the ASCONF-ACK
	 * arrives, it leaves the address out of the association's addresses
	 * and refuses (EINVAL) to ask the peer to make it primary. It reports
	 * no ASCONF-ACK, but it leaves the address out before the ASCONF goes:
	 * once the test says that the peer has the address, the address
	 * coming back in shows that the ASCONF-ACK has been processed.
	 */
	bind_only(sock, argv[7], 0);
	printf("asked to add %s\n", argv[7]);
	if (getchar() == EOF) {
		fail("standard input ended before the peer acknowledged %s", argv[7]);
	}
	for (waited = 0; !has_local(sock, &added); waited += 10) {
		if (waited >= ASCONF_WAIT_MS) {
			fail("no ASCONF-ACK for %s within %d ms", argv[7], ASCONF_WAIT_MS);
		}
		usleep(10 * 1000);
	}
	printf("added %s\n", argv[7]);

	memset(&prim, 0, sizeof(prim));
	memcpy(&prim.sspp_addr, &added, sizeof(added));
	if (usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_SET_PEER_PRIMARY_ADDR, &prim, sizeof(prim)) < 0) {
		fail("setsockopt SCTP_SET_PEER_PRIMARY_ADDR: %s", strerror(errno));
	}
	printf("asked the peer to make %s primary\n", argv[7]);
	send_phase(sock, 2, count);

	/* The test ends our input once it has checked its side. */
	while (getchar() != EOF) {
	}
	printf("shutting down\n");
	if (usrsctp_shutdown(sock, SHUT_WR) < 0) {
		fail("usrsctp_shutdown: %s", strerror(errno));
	}
	if (await_end(sock) != SCTP_SHUTDOWN_COMP) {
		fail("the association did not shut down cleanly");
	}
	usrsctp_close(sock);
	return 0;
}

/* phase_count counts what arrived in one phase. */
struct phase_count {
	int msgs;
	size_t bytes;
};

/*
 * check_message checks a message against the one expected next in its
 * phase, and counts it.
 */
static void
check_message(const uint8_t *msg, size_t len, uint32_t ppid, uint16_t sid, struct phase_count *phases)
{
	struct phase_count *pc;
	size_t j;
	int phase = (int)sid;

	if ((phase != 1 && phase != 2) || ppid != MESSAGE_PPID) {
		fail("message on stream %u with PPID %#x", sid, ppid);
	}
	pc = &phases[phase - 1];
	if (len != message_len(phase, pc->msgs)) {
		fail("message %d of phase %d: %zu bytes, want %zu", pc->msgs, phase, len, message_len(phase, pc->msgs));
	}
	for (j = 0; j < len; j++) {
		if (msg[j] != message_byte(phase, pc->msgs, j)) {
			fail("message %d of phase %d differs at byte %zu", pc->msgs, phase, j);
		}
	}
	pc->msgs++;
	pc->bytes += len;
}

static int
server(int argc, char *argv[])
{
	static uint8_t msg[RECV_BUFFER];
	struct phase_count phases[2] = {{0, 0}, {0, 0}};
	struct sctp_rcvinfo rcv;
	struct socket *sock, *conn;
	size_t have = 0;
	socklen_t infolen;
	unsigned int infotype;
	const int on = 1;
	ssize_t n;
	int flags, i;

	if (argc != 6) {
		fail("usage: server UDP_PORT PEER_UDP_PORT ADDR PORT");
	}
	sock = start(port_arg(argv[2]));
	encapsulate(sock, port_arg(argv[3]));
	bind_only(sock, argv[4], port_arg(argv[5]));
	/* Each message comes with its stream and PPID. */
	if (usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on)) < 0) {
		fail("setsockopt SCTP_RECVRCVINFO: %s", strerror(errno));
	}
	if (usrsctp_listen(sock, 1) < 0) {
		fail("usrsctp_listen: %s", strerror(errno));
	}
	printf("listening\n");
	conn = usrsctp_accept(sock, NULL, NULL);
	if (conn == NULL) {
		fail("usrsctp_accept: %s", strerror(errno));
	}
	/*
	 * The listener stays open until the end: usrsctp finds the association
	 * of a packet from an address it does not know yet (an ASCONF from the
	 * peer's new address) through the listening endpoint only.
	 */
	/* Notifications arrive on the accepted socket, in order with data. */
	for (;;) {
		infolen = sizeof(rcv);
		infotype = 0;
		flags = 0;
		n = usrsctp_recvv(conn, msg + have, sizeof(msg) - have, NULL, NULL, &rcv, &infolen, &infotype, &flags);
		if (n < 0) {
			fail("usrsctp_recvv: %s", strerror(errno));
		}
		if (n == 0) {
			break; /* the peer shut down */
		}
		if (flags & MSG_NOTIFICATION) {
			notification((const union sctp_notification *)(msg + have), (size_t)n);
			continue;
		}
		have += (size_t)n;
		if (!(flags & MSG_EOR)) {
			continue; /* partial delivery: more of the message follows */
		}
		if (infotype != SCTP_RECVV_RCVINFO) {
			fail("message without receive information");
		}
		check_message(msg, have, ntohl(rcv.rcv_ppid), rcv.rcv_sid, phases);
		have = 0;
	}
	if (have > 0) {
		fail("the association ended inside a message");
	}
	for (i = 0; i < 2; i++) {
		printf("phase %d received: %d messages, %zu bytes\n", i + 1, phases[i].msgs, phases[i].bytes);
	}
	usrsctp_close(conn);
	usrsctp_close(sock);
	return 0;
}

int
main(int argc, char *argv[])
{
	int status;

	setvbuf(stdout, NULL, _IOLBF, 0); /* the test follows the output */
	if (argc > 1 && strcmp(argv[1], "client") == 0) {
		status = client(argc, argv);
	} else if (argc > 1 && strcmp(argv[1], "server") == 0) {
		status = server(argc, argv);
	} else {
		fail("usage: asconf_driver client|server ARGS...");
	}
	/* usrsctp_finish fails while associations are still being freed. */
	while (usrsctp_finish() != 0) {
		usleep(10 * 1000);
	}
	printf("done\n");
	return status;
}
