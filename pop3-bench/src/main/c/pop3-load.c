/*
 * pop3-load: the POP3 load generator in C (OpenSSL), so that TLS loads measure the server rather than the
 * generator's TLS stack.
 *
 * One thread per client connection, blocking sockets, all released together. Two loads:
 *
 *   sessions  each client repeats connect, [TLS], greeting, USER, PASS, STAT, QUIT and waits for the server to
 *             close, for --seconds. Every TLS handshake is a full one: no session is ever resumed, unless
 *             --resume yes: then each client offers the session (TLS 1.3: the latest ticket) of its previous
 *             connection, as a mail client that polls does, and the output counts the handshakes that resumed.
 *   retr      each client logs in, checks with STAT that the mailbox holds --messages messages, RETRs messages
 *             1..--messages one after the other (checking that each body has --size octets once dot-stuffing is
 *             removed), then QUITs.
 *
 * TLS: --tls none, implicit (TLS from the first byte) or stls (plain greeting, STLS, then TLS). The server's
 * certificate must chain to --ca (the fixture's self-signed certificate). --tls-max 1.2 limits the protocol.
 *
 * Output on standard output, one "key value" per line: clients, sessions, resumed, messages, octets, seconds
 * (from the release to the last client's end), cpu (user + system seconds of this process over the same span),
 * failures, first-failure. Exit status 0 when the run completed (failed sessions are counted, not fatal), 2 for
 * a bad command line.
 *
 * usage: pop3-load --mode sessions|retr --host ADDR --port N --users a,b,... --password PW
 *                  [--tls none|implicit|stls] [--ca PEM] [--tls-max 1.2|1.3] [--seconds S]
 *                  [--resume yes|no] [--messages N] [--size OCTETS]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BUFFER 65536
#define TIMEOUT_SECONDS 60
#define FAILURE_TEXT 512

enum tls_mode { TLS_NONE, TLS_IMPLICIT, TLS_STLS };

static enum tls_mode tls_mode = TLS_NONE;
static SSL_CTX *tls_ctx;
static struct sockaddr_in server;
static const char *password;
static double run_seconds = 5;
static long messages = 0;
static long message_size = 0;
static int retr_mode;
static int resume_sessions;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t released_cond = PTHREAD_COND_INITIALIZER;
static int released;
static long total_sessions, total_resumed, total_messages, total_failures;
static long long total_octets;
static char first_failure[FAILURE_TEXT];

typedef struct {
    int fd;
    SSL *ssl;
    char buf[BUFFER];
    size_t pos, len;
    char error[FAILURE_TEXT];
    SSL_SESSION *saved; /* with --resume yes: the session to offer on the next connection */
} client;

static void usage(const char *problem) {
    fprintf(stderr, "pop3-load: %s\nusage: pop3-load --mode sessions|retr --host ADDR --port N --users a,b,... "
                    "--password PW [--tls none|implicit|stls] [--ca PEM] [--tls-max 1.2|1.3] [--seconds S] "
                    "[--resume yes|no] [--messages N] [--size OCTETS]\n", problem);
    exit(2);
}

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec +
           u.ru_stime.tv_usec / 1e6;
}

/* Records why the client's session failed; always returns -1. */
static int fail(client *c, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(c->error, sizeof c->error, format, args);
    va_end(args);
    unsigned long e = ERR_get_error();
    if (e != 0) {
        size_t n = strlen(c->error);
        snprintf(c->error + n, sizeof c->error - n, " (%s)", ERR_reason_error_string(e));
        ERR_clear_error();
    }
    return -1;
}

static void count_failure(client *c) {
    pthread_mutex_lock(&lock);
    total_failures++;
    if (first_failure[0] == '\0') {
        snprintf(first_failure, sizeof first_failure, "%s", c->error[0] ? c->error : "unknown failure");
    }
    pthread_mutex_unlock(&lock);
}

static void disconnect(client *c) {
    if (c->ssl != NULL) {
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    c->pos = c->len = 0;
}

/* Reads more bytes into the buffer (after compacting it): >0 read, 0 end of stream, -1 error. */
static int fill(client *c) {
    if (c->pos > 0) {
        memmove(c->buf, c->buf + c->pos, c->len - c->pos);
        c->len -= c->pos;
        c->pos = 0;
    }
    if (c->len == sizeof c->buf) return fail(c, "reply line longer than %d octets", BUFFER);
    for (;;) {
        int n;
        if (c->ssl != NULL) {
            n = SSL_read(c->ssl, c->buf + c->len, (int)(sizeof c->buf - c->len));
            if (n <= 0) {
                int e = SSL_get_error(c->ssl, n);
                if (e == SSL_ERROR_ZERO_RETURN) return 0;
                if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && n == 0) return 0;
                return fail(c, "TLS read failed (SSL error %d, errno %d)", e, errno);
            }
        } else {
            n = (int)read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return fail(c, "read failed: %s", strerror(errno));
            if (n == 0) return 0;
        }
        c->len += (size_t)n;
        return n;
    }
}

static int send_all(client *c, const char *data, size_t len) {
    while (len > 0) {
        int n;
        if (c->ssl != NULL) {
            n = SSL_write(c->ssl, data, (int)len);
            if (n <= 0) return fail(c, "TLS write failed (SSL error %d)", SSL_get_error(c->ssl, n));
        } else {
            n = (int)send(c->fd, data, len, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return fail(c, "write failed: %s", strerror(errno));
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads one reply line into line (without its line end) and checks that it is +OK. */
static int expect_ok(client *c, const char *what, char *line, size_t line_size) {
    for (;;) {
        char *nl = memchr(c->buf + c->pos, '\n', c->len - c->pos);
        if (nl != NULL) {
            size_t end = (size_t)(nl - c->buf);
            size_t stop = end > c->pos && c->buf[end - 1] == '\r' ? end - 1 : end;
            size_t n = stop - c->pos < line_size - 1 ? stop - c->pos : line_size - 1;
            memcpy(line, c->buf + c->pos, n);
            line[n] = '\0';
            c->pos = end + 1;
            if (strncmp(line, "+OK", 3) != 0) return fail(c, "reply to %s: %.200s", what, line);
            return 0;
        }
        int r = fill(c);
        if (r < 0) return -1;
        if (r == 0) return fail(c, "connection closed before the reply to %s", what);
    }
}

static int command(client *c, const char *cmd, const char *what, char *line, size_t line_size) {
    char out[512];
    int n = snprintf(out, sizeof out, "%s\r\n", cmd);
    if (send_all(c, out, (size_t)n) < 0) return -1;
    return expect_ok(c, what, line, line_size);
}

static int start_tls(client *c, int *resumed) {
    c->ssl = SSL_new(tls_ctx);
    if (c->ssl == NULL) return fail(c, "SSL_new failed");
    SSL_set_fd(c->ssl, c->fd);
    SSL_set_tlsext_host_name(c->ssl, "localhost");
    if (c->saved != NULL) SSL_set_session(c->ssl, c->saved);
    if (c->pos != c->len) return fail(c, "plain bytes after the STLS reply");
    if (SSL_connect(c->ssl) != 1) return fail(c, "TLS handshake failed");
    *resumed = SSL_session_reused(c->ssl);
    return 0;
}

static int connect_and_greet(client *c, int *resumed) {
    char line[512];
    *resumed = 0;
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0) return fail(c, "socket failed: %s", strerror(errno));
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval timeout = {.tv_sec = TIMEOUT_SECONDS};
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    if (connect(c->fd, (struct sockaddr *)&server, sizeof server) != 0) {
        return fail(c, "connect failed: %s", strerror(errno));
    }
    if (tls_mode == TLS_IMPLICIT && start_tls(c, resumed) < 0) return -1;
    if (expect_ok(c, "greeting", line, sizeof line) < 0) return -1;
    if (tls_mode == TLS_STLS) {
        if (command(c, "STLS", "STLS", line, sizeof line) < 0) return -1;
        if (start_tls(c, resumed) < 0) return -1;
    }
    return 0;
}

static int login(client *c, const char *user) {
    char line[512], cmd[300];
    snprintf(cmd, sizeof cmd, "USER %s", user);
    if (command(c, cmd, cmd, line, sizeof line) < 0) return -1;
    snprintf(cmd, sizeof cmd, "PASS %s", password);
    return command(c, cmd, "PASS", line, sizeof line);
}

/* QUIT, +OK, then read until the server closes (so that it keeps the TIME_WAIT, as the Java generator does). */
static int quit(client *c) {
    char line[512];
    if (command(c, "QUIT", "QUIT", line, sizeof line) < 0) return -1;
    for (;;) {
        c->pos = c->len = 0;
        int r = fill(c);
        if (r <= 0) break; /* closed, cleanly or not: the session is complete with +OK */
    }
    c->error[0] = '\0';
    ERR_clear_error();
    return 0;
}

/*
 * Reads a multi-line body (RFC 1939 section 3) after its status line and returns its octets with dot-stuffing
 * removed, line ends included; -1 on failure. The same state machine as the Java generator's scanner.
 */
static long long read_body(client *c, const char *what) {
    enum { LINE_START, MID_LINE, DOT, DOT_CR } state = LINE_START;
    long long octets = 0;
    for (;;) {
        while (c->pos < c->len) {
            char b = c->buf[c->pos];
            switch (state) {
            case MID_LINE: {
                char *nl = memchr(c->buf + c->pos, '\n', c->len - c->pos);
                if (nl == NULL) {
                    octets += (long long)(c->len - c->pos);
                    c->pos = c->len;
                } else {
                    size_t end = (size_t)(nl - c->buf) + 1;
                    octets += (long long)(end - c->pos);
                    c->pos = end;
                    state = LINE_START;
                }
                break;
            }
            case LINE_START:
                if (b == '.') {
                    state = DOT;
                    c->pos++;
                } else {
                    state = MID_LINE;
                }
                break;
            case DOT:
                if (b == '\r') {
                    state = DOT_CR;
                    c->pos++;
                } else if (b == '\n') {
                    c->pos++;
                    return octets;
                } else {
                    state = MID_LINE; /* a stuffed dot: the first one is not part of the body */
                }
                break;
            case DOT_CR:
                if (b == '\n') {
                    c->pos++;
                    return octets;
                }
                octets++;
                state = MID_LINE;
                break;
            }
        }
        c->pos = c->len = 0;
        int r = fill(c);
        if (r < 0) return -1;
        if (r == 0) return fail(c, "connection closed inside the reply to %s", what);
    }
}

static void wait_for_release(void) {
    pthread_mutex_lock(&lock);
    while (!released) pthread_cond_wait(&released_cond, &lock);
    pthread_mutex_unlock(&lock);
}

/*
 * Keeps the connection's session for the next one. Taken after the login: a TLS 1.3 server sends its tickets after
 * the handshake, and OpenSSL reads them with the first replies. A copy: freeing a connection that was not shut down
 * (the server closes first here) marks its own session as not resumable.
 */
static void save_session(client *c) {
    if (!resume_sessions || c->ssl == NULL) return;
    SSL_SESSION *session = SSL_get1_session(c->ssl);
    if (session == NULL) return;
    SSL_SESSION *copy = SSL_SESSION_is_resumable(session) ? SSL_SESSION_dup(session) : NULL;
    SSL_SESSION_free(session);
    if (copy == NULL) return;
    if (c->saved != NULL) SSL_SESSION_free(c->saved);
    c->saved = copy;
}

static void sessions_client(const char *user) {
    client *c = calloc(1, sizeof(client));
    c->fd = -1;
    double deadline = now_seconds() + run_seconds;
    long sessions = 0, resumed = 0;
    while (now_seconds() < deadline) {
        char line[512];
        int was_resumed = 0;
        c->error[0] = '\0';
        if (connect_and_greet(c, &was_resumed) < 0 || login(c, user) < 0 ||
            (save_session(c), command(c, "STAT", "STAT", line, sizeof line) < 0) || quit(c) < 0) {
            count_failure(c);
        } else {
            sessions++;
            resumed += was_resumed;
        }
        disconnect(c);
    }
    if (c->saved != NULL) SSL_SESSION_free(c->saved);
    free(c);
    pthread_mutex_lock(&lock);
    total_sessions += sessions;
    total_resumed += resumed;
    pthread_mutex_unlock(&lock);
}

static void retr_client(const char *user) {
    client *c = calloc(1, sizeof(client));
    c->fd = -1;
    char line[512], cmd[64];
    int resumed = 0;
    long done = 0;
    long long octets = 0;
    if (connect_and_greet(c, &resumed) < 0 || login(c, user) < 0 || command(c, "STAT", "STAT", line, sizeof line) < 0) {
        goto failed;
    }
    long held = strtol(line + 3, NULL, 10);
    if (held < messages) {
        fail(c, "%s holds fewer than %ld messages: %.100s", user, messages, line);
        goto failed;
    }
    for (long n = 1; n <= messages; n++) {
        snprintf(cmd, sizeof cmd, "RETR %ld", n);
        if (command(c, cmd, cmd, line, sizeof line) < 0) goto failed;
        long long body = read_body(c, cmd);
        if (body < 0) goto failed;
        if (body != message_size) {
            fail(c, "RETR %ld of %s sent %lld octets; the fixture's message has %ld", n, user, body, message_size);
            goto failed;
        }
        octets += body;
        done++;
    }
    if (quit(c) < 0) goto failed;
    pthread_mutex_lock(&lock);
    total_messages += done;
    total_octets += octets;
    total_sessions++;
    pthread_mutex_unlock(&lock);
    disconnect(c);
    free(c);
    return;
failed:
    count_failure(c);
    disconnect(c);
    free(c);
}

static void *run_client(void *user) {
    wait_for_release();
    if (retr_mode) retr_client(user);
    else sessions_client(user);
    return NULL;
}

static SSL_CTX *client_context(const char *ca, const char *tls_max) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) usage("cannot create a TLS context");
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (tls_max != NULL) {
        if (strcmp(tls_max, "1.2") == 0) SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
        else if (strcmp(tls_max, "1.3") == 0) SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
        else usage("--tls-max takes 1.2 or 1.3");
    }
    /* No cache: each client keeps its own last session (--resume yes); without it nothing can be resumed. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    if (!resume_sessions) SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    if (ca == NULL) usage("--ca is needed with --tls");
    if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) usage("cannot load the --ca certificate");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    return ctx;
}

int main(int argc, char **argv) {
    const char *mode = NULL, *host = NULL, *users = NULL, *ca = NULL, *tls = "none", *tls_max = NULL;
    long port = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc) usage("every option needs a value");
        const char *name = argv[i], *value = argv[++i];
        if (strcmp(name, "--mode") == 0) mode = value;
        else if (strcmp(name, "--host") == 0) host = value;
        else if (strcmp(name, "--port") == 0) port = strtol(value, NULL, 10);
        else if (strcmp(name, "--users") == 0) users = value;
        else if (strcmp(name, "--password") == 0) password = value;
        else if (strcmp(name, "--tls") == 0) tls = value;
        else if (strcmp(name, "--ca") == 0) ca = value;
        else if (strcmp(name, "--tls-max") == 0) tls_max = value;
        else if (strcmp(name, "--seconds") == 0) run_seconds = strtod(value, NULL);
        else if (strcmp(name, "--messages") == 0) messages = strtol(value, NULL, 10);
        else if (strcmp(name, "--size") == 0) message_size = strtol(value, NULL, 10);
        else if (strcmp(name, "--resume") == 0) {
            if (strcmp(value, "yes") == 0) resume_sessions = 1;
            else if (strcmp(value, "no") != 0) usage("--resume takes yes or no");
        }
        else usage("unknown option");
    }
    if (mode == NULL || host == NULL || users == NULL || password == NULL) {
        usage("--mode, --host, --port, --users and --password are needed");
    }
    if (port < 1 || port > 65535) usage("--port must be from 1 to 65535");
    if (strcmp(mode, "retr") == 0) {
        retr_mode = 1;
        if (messages < 1 || message_size < 1) usage("--mode retr needs --messages and --size");
    } else if (strcmp(mode, "sessions") != 0) {
        usage("--mode takes sessions or retr");
    } else if (!(run_seconds > 0)) {
        usage("--seconds must be positive");
    }
    if (strcmp(tls, "implicit") == 0) tls_mode = TLS_IMPLICIT;
    else if (strcmp(tls, "stls") == 0) tls_mode = TLS_STLS;
    else if (strcmp(tls, "none") != 0) usage("--tls takes none, implicit or stls");
    server.sin_family = AF_INET;
    server.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &server.sin_addr) != 1) usage("--host is not an IPv4 address");
    signal(SIGPIPE, SIG_IGN);
    if (tls_mode != TLS_NONE) tls_ctx = client_context(ca, tls_max);

    char *list = strdup(users);
    size_t count = 1;
    for (char *p = list; *p; p++) count += *p == ',';
    char **names = calloc(count, sizeof(char *));
    pthread_t *threads = calloc(count, sizeof(pthread_t));
    count = 0;
    for (char *save = NULL, *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        names[count++] = name;
    }
    if (count == 0) usage("--users names no user");
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    for (size_t i = 0; i < count; i++) {
        if (pthread_create(&threads[i], &attr, run_client, names[i]) != 0) usage("cannot start a client thread");
    }
    double cpu_before = cpu_seconds();
    pthread_mutex_lock(&lock);
    double start = now_seconds();
    released = 1;
    pthread_cond_broadcast(&released_cond);
    pthread_mutex_unlock(&lock);
    for (size_t i = 0; i < count; i++) pthread_join(threads[i], NULL);
    double seconds = now_seconds() - start;
    double cpu = cpu_seconds() - cpu_before;

    printf("clients %zu\n", count);
    printf("sessions %ld\n", total_sessions);
    printf("resumed %ld\n", total_resumed);
    printf("messages %ld\n", total_messages);
    printf("octets %lld\n", total_octets);
    printf("seconds %.6f\n", seconds);
    printf("cpu %.6f\n", cpu);
    printf("failures %ld\n", total_failures);
    for (char *p = first_failure; *p; p++) {
        if (*p == '\n' || *p == '\r') *p = ' ';
    }
    printf("first-failure %s\n", first_failure);
    return 0;
}
