/*
 * pop3-canned: a POP3 responder that answers from memory, to measure the load generator's own ceiling.
 *
 * It accepts any password for a user listed in the mailboxes file ("user count size" lines) and pretends that
 * the user's mailbox holds `count` messages of exactly `size` octets (CRLF line ends, no line starting with a
 * dot). One epoll loop per thread, each with its own SO_REUSEPORT listeners, plain and implicit TLS (OpenSSL);
 * STLS on the plain port.
 *
 * usage: pop3-canned --bind ADDR --port N --tls-port N --mailboxes FILE --cert PEM --key PEM [--threads N]
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define IN_CAPACITY 1024
#define MAX_EVENTS 256

typedef struct {
    char *user;
    long count;
    long size;
    const char *body; /* `size` octets */
} mailbox;

typedef struct {
    int listener; /* 1 for a listening socket */
    int fd;
    int tls;
} endpoint;

typedef struct {
    int listener; /* always 0 */
    int fd;
    SSL *ssl;
    char in[IN_CAPACITY];
    size_t in_len;
    char *out;
    size_t out_len, out_pos, out_cap;
    mailbox *box;
    int authenticated;
    int quitting;
    int starting_tls; /* STLS answered: TLS begins once the reply is written */
} conn;

static mailbox *boxes;
static size_t box_count;
static SSL_CTX *tls_ctx;
static const char *bind_addr;
static int plain_port, tls_port;

static void die(const char *what) {
    fprintf(stderr, "pop3-canned: %s\n", what);
    exit(1);
}

static int by_user(const void *a, const void *b) {
    return strcmp(((const mailbox *)a)->user, ((const mailbox *)b)->user);
}

static const char *body_of_size(long size) {
    for (size_t i = 0; i < box_count; i++) {
        if (boxes[i].body != NULL && boxes[i].size == size) {
            return boxes[i].body;
        }
    }
    char *body = malloc((size_t)size);
    if (body == NULL) die("out of memory");
    long at = 0, remaining = size;
    while (remaining > 0) {
        long len = remaining - 2 > 80 ? 76 : remaining - 2;
        for (long i = 0; i < len; i++) body[at + i] = (char)('a' + (at + i) % 26);
        at += len;
        body[at++] = '\r';
        body[at++] = '\n';
        remaining -= len + 2;
    }
    return body;
}

static void load_mailboxes(const char *path) {
    FILE *f = fopen(path, "r");
    if (f == NULL) die("cannot read the mailboxes file");
    size_t cap = 1024;
    boxes = malloc(cap * sizeof(mailbox));
    char user[256];
    long count, size;
    while (fscanf(f, "%255s %ld %ld", user, &count, &size) == 3) {
        if (size < 2 || count < 0) die("bad line in the mailboxes file");
        if (box_count == cap) {
            cap *= 2;
            boxes = realloc(boxes, cap * sizeof(mailbox));
        }
        boxes[box_count].user = strdup(user);
        boxes[box_count].count = count;
        boxes[box_count].size = size;
        boxes[box_count].body = NULL;
        box_count++;
    }
    fclose(f);
    for (size_t i = 0; i < box_count; i++) {
        boxes[i].body = body_of_size(boxes[i].size);
    }
    qsort(boxes, box_count, sizeof(mailbox), by_user);
}

static mailbox *find_box(const char *user) {
    mailbox key = {.user = (char *)user};
    return bsearch(&key, boxes, box_count, sizeof(mailbox), by_user);
}

static void out_reserve(conn *c, size_t more) {
    if (c->out_len + more <= c->out_cap) return;
    size_t cap = c->out_cap ? c->out_cap : 4096;
    while (cap < c->out_len + more) cap *= 2;
    c->out = realloc(c->out, cap);
    if (c->out == NULL) die("out of memory");
    c->out_cap = cap;
}

static void out_append(conn *c, const char *data, size_t len) {
    out_reserve(c, len);
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
}

#define OUT(c, literal) out_append((c), (literal), sizeof(literal) - 1)

static void out_printf(conn *c, const char *format, long a, long b) {
    char line[128];
    int n = snprintf(line, sizeof line, format, a, b);
    out_append(c, line, (size_t)n);
}

static long message_number(conn *c, const char *arg) {
    long n = strtol(arg, NULL, 10);
    return n >= 1 && n <= c->box->count ? n : 0;
}

static void command(conn *c, char *line) {
    char *arg = strchr(line, ' ');
    if (arg != NULL) *arg++ = '\0';
    else arg = "";
    for (char *p = line; *p; p++) *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    if (strcmp(line, "QUIT") == 0) {
        OUT(c, "+OK bye\r\n");
        c->quitting = 1;
    } else if (strcmp(line, "NOOP") == 0 || strcmp(line, "RSET") == 0) {
        OUT(c, "+OK\r\n");
    } else if (strcmp(line, "CAPA") == 0) {
        OUT(c, "+OK\r\nUSER\r\nUIDL\r\nTOP\r\nSTLS\r\n.\r\n");
    } else if (strcmp(line, "STLS") == 0 && c->ssl == NULL && !c->authenticated) {
        OUT(c, "+OK begin TLS\r\n");
        c->starting_tls = 1;
    } else if (strcmp(line, "USER") == 0 && !c->authenticated) {
        c->box = find_box(arg);
        if (c->box != NULL) OUT(c, "+OK\r\n");
        else OUT(c, "-ERR [AUTH] no such user\r\n");
    } else if (strcmp(line, "PASS") == 0 && !c->authenticated && c->box != NULL) {
        c->authenticated = 1;
        out_printf(c, "+OK %ld messages (%ld octets)\r\n", c->box->count, c->box->count * c->box->size);
    } else if (!c->authenticated) {
        OUT(c, "-ERR not logged in\r\n");
    } else if (strcmp(line, "STAT") == 0) {
        out_printf(c, "+OK %ld %ld\r\n", c->box->count, c->box->count * c->box->size);
    } else if ((strcmp(line, "LIST") == 0 || strcmp(line, "UIDL") == 0) && *arg == '\0') {
        int list = line[0] == 'L';
        OUT(c, "+OK\r\n");
        for (long i = 1; i <= c->box->count; i++) {
            out_printf(c, list ? "%ld %ld\r\n" : "%ld u%08ld\r\n", i, list ? c->box->size : i);
        }
        OUT(c, ".\r\n");
    } else if (strcmp(line, "LIST") == 0 || strcmp(line, "UIDL") == 0) {
        long n = message_number(c, arg);
        if (n == 0) OUT(c, "-ERR no such message\r\n");
        else out_printf(c, line[0] == 'L' ? "+OK %ld %ld\r\n" : "+OK %ld u%08ld\r\n", n,
                        line[0] == 'L' ? c->box->size : n);
    } else if (strcmp(line, "RETR") == 0 || strcmp(line, "TOP") == 0) {
        if (message_number(c, arg) == 0) {
            OUT(c, "-ERR no such message\r\n");
        } else {
            out_printf(c, "+OK %ld octets\r\n", c->box->size, 0L);
            out_append(c, c->box->body, (size_t)c->box->size);
            OUT(c, ".\r\n");
        }
    } else if (strcmp(line, "DELE") == 0) {
        OUT(c, "+OK\r\n");
    } else {
        OUT(c, "-ERR unknown command\r\n");
    }
}

static void process_input(conn *c) {
    size_t start = 0;
    for (size_t i = 0; i < c->in_len && !c->starting_tls; i++) {
        if (c->in[i] == '\n') {
            size_t end = i > start && c->in[i - 1] == '\r' ? i - 1 : i;
            c->in[end] = '\0';
            command(c, c->in + start);
            start = i + 1;
        }
    }
    memmove(c->in, c->in + start, c->in_len - start);
    c->in_len -= start;
}

static void close_conn(conn *c) {
    if (c->ssl != NULL) {
        SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
    close(c->fd);
    free(c->out);
    free(c);
}

/* 1: progress, 0: would block, -1: the connection is over */
static int io_result(conn *c, int n) {
    if (n > 0) return 1;
    if (c->ssl != NULL) {
        int e = SSL_get_error(c->ssl, n);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
        ERR_clear_error();
        return -1;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return 0;
    return -1;
}

/* Writes what is pending, then reads and answers, until the socket would block; edge-triggered. */
static void pump(conn *c) {
    for (;;) {
        while (c->out_pos < c->out_len) {
            size_t left = c->out_len - c->out_pos;
            int chunk = left > (1 << 20) ? (1 << 20) : (int)left;
            int n = c->ssl != NULL ? SSL_write(c->ssl, c->out + c->out_pos, chunk)
                                   : (int)send(c->fd, c->out + c->out_pos, (size_t)chunk, MSG_NOSIGNAL);
            int r = io_result(c, n);
            if (r < 0) {
                close_conn(c);
                return;
            }
            if (r == 0) return; /* EPOLLOUT will bring us back */
            c->out_pos += (size_t)n;
        }
        c->out_pos = c->out_len = 0;
        if (c->starting_tls) {
            c->starting_tls = 0;
            c->in_len = 0; /* nothing may follow STLS in plain text (RFC 2595 section 4) */
            c->ssl = SSL_new(tls_ctx);
            SSL_set_fd(c->ssl, c->fd);
            SSL_set_accept_state(c->ssl);
        }
        if (c->quitting) {
            close_conn(c);
            return;
        }
        if (c->in_len == IN_CAPACITY) {
            close_conn(c); /* line too long */
            return;
        }
        int n = c->ssl != NULL ? SSL_read(c->ssl, c->in + c->in_len, (int)(IN_CAPACITY - c->in_len))
                               : (int)read(c->fd, c->in + c->in_len, IN_CAPACITY - c->in_len);
        int r = io_result(c, n);
        if (r < 0) {
            close_conn(c);
            return;
        }
        if (r == 0) return;
        c->in_len += (size_t)n;
        process_input(c);
    }
}

static int listen_on(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, bind_addr, &addr.sin_addr) != 1) die("--bind is not an IPv4 address");
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) die("cannot bind");
    if (listen(fd, 4096) != 0) die("cannot listen");
    return fd;
}

static void *serve(void *unused) {
    (void)unused;
    int ep = epoll_create1(0);
    endpoint listeners[2] = {{1, listen_on(plain_port), 0}, {1, listen_on(tls_port), 1}};
    for (int i = 0; i < 2; i++) {
        struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.ptr = &listeners[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, listeners[i].fd, &ev);
    }
    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(ep, events, MAX_EVENTS, -1);
        for (int i = 0; i < n; i++) {
            if (*(int *)events[i].data.ptr) {
                endpoint *l = events[i].data.ptr;
                for (;;) {
                    int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK);
                    if (fd < 0) break;
                    int one = 1;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conn *c = calloc(1, sizeof(conn));
                    c->fd = fd;
                    if (l->tls) {
                        c->ssl = SSL_new(tls_ctx);
                        SSL_set_fd(c->ssl, fd);
                        SSL_set_accept_state(c->ssl);
                    }
                    OUT(c, "+OK canned POP3 ready\r\n");
                    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
                    pump(c);
                }
            } else {
                pump(events[i].data.ptr);
            }
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    const char *mailboxes = NULL, *cert = NULL, *key = NULL;
    long threads = sysconf(_SC_NPROCESSORS_ONLN);
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc) die("every option needs a value; usage: --bind ADDR --port N --tls-port N "
                               "--mailboxes FILE --cert PEM --key PEM [--threads N]");
        const char *name = argv[i], *value = argv[++i];
        if (strcmp(name, "--bind") == 0) bind_addr = value;
        else if (strcmp(name, "--port") == 0) plain_port = atoi(value);
        else if (strcmp(name, "--tls-port") == 0) tls_port = atoi(value);
        else if (strcmp(name, "--mailboxes") == 0) mailboxes = value;
        else if (strcmp(name, "--cert") == 0) cert = value;
        else if (strcmp(name, "--key") == 0) key = value;
        else if (strcmp(name, "--threads") == 0) threads = atol(value);
        else die("unknown option");
    }
    if (bind_addr == NULL || plain_port <= 0 || tls_port <= 0 || mailboxes == NULL || cert == NULL || key == NULL ||
        threads < 1) {
        die("usage: --bind ADDR --port N --tls-port N --mailboxes FILE --cert PEM --key PEM [--threads N]");
    }
    signal(SIGPIPE, SIG_IGN);
    load_mailboxes(mailboxes);
    tls_ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_min_proto_version(tls_ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(tls_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_session_id_context(tls_ctx, (const unsigned char *)"pop3-canned", 11);
    if (SSL_CTX_use_certificate_chain_file(tls_ctx, cert) != 1) die("cannot load --cert");
    if (SSL_CTX_use_PrivateKey_file(tls_ctx, key, SSL_FILETYPE_PEM) != 1) die("cannot load --key");
    pthread_t ids[64];
    if (threads > 64) threads = 64;
    for (long i = 0; i < threads; i++) pthread_create(&ids[i], NULL, serve, NULL);
    fprintf(stderr, "pop3-canned: %zu mailboxes, %ld threads, serving\n", box_count, threads);
    for (long i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    return 0;
}
