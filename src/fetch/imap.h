/* imap.h - stage 0: an IMAP client on libcurl, just what intake needs.
 *
 * One ImapClient is one easy handle and so one connection, reused for every
 * command of a pass (select, list, fetch, move); the intake pass in intake/intake.c
 * decides what to do, this module only talks.  Messages are read with
 * BODY.PEEK[] so reading never sets \Seen.
 *
 * Errors are MAILREG_ERROR codes in isync's two classes: TEMPFAIL (server
 * unreachable, connection dropped, TLS handshake cut, server busy: try again
 * later) and permanent ones (NOPERM: credentials refused; CONFIG: certificate
 * not trusted, mailbox missing, unreadable secret; PROTOCOL: the server broke
 * the protocol).  Every message names the server and the user, never a secret.
 */
#ifndef MAILREG_IMAP_H
#define MAILREG_IMAP_H

#include <glib.h>

#include "core/config.h"

typedef struct ImapClient ImapClient;

typedef struct {
	guint32 uid;
	guint64 size;       /* RFC822.SIZE */
	char *header;       /* the Message-ID header field when asked for, else NULL */
} ImapMessageInfo;

void imap_message_info_free (ImapMessageInfo *info);

/* A client for the [imap] group of @cfg (borrowed; must outlive the client).
 * Reads the password ([imap] password_file, else $CREDENTIALS_DIRECTORY/imap-password)
 * now, the OAuth2 token at every connection.  No network I/O yet.  Warns when
 * tls_verify is off.  (transfer full)  MAILREG_ERROR_CONFIG when a secret cannot be read. */
ImapClient *imap_client_new (const Config *cfg, GError **error);
void imap_client_free (ImapClient *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImapClient, imap_client_free)

/* "user@host:port" for log lines.  (transfer none) */
const char *imap_client_describe (const ImapClient *c);

/* The mailbox the URL names (decoded; INBOX when the URL has no path).  (transfer none) */
const char *imap_client_mailbox (const ImapClient *c);

/* Connect, log in and SELECT the mailbox.  Afterwards the getters below hold
 * what the server said.  Errors as in the file comment. */
gboolean imap_select (ImapClient *c, GError **error);
guint32 imap_uidvalidity (const ImapClient *c);
guint32 imap_uidnext (const ImapClient *c);     /* 0 when the server did not say */
guint32 imap_exists (const ImapClient *c);
/* TRUE when the server advertised capability @name ("MOVE", "UIDPLUS", "IDLE"). */
gboolean imap_has_capability (const ImapClient *c, const char *name);

/* One `UID FETCH from:* (UID RFC822.SIZE)` (with the Message-ID header field when
 * @with_message_id): messages with UID >= @from in UID order.
 * (transfer full) array of ImapMessageInfo*. */
GPtrArray *imap_list (ImapClient *c, guint32 from, gboolean with_message_id, GError **error);

/* The message with @uid (`UID FETCH uid BODY.PEEK[]`, or BODY.PEEK[HEADER] when
 * @header_only), line ends turned from CRLF into LF as in a Maildir.  NULL with
 * no error set when the answer held no message of that UID: deleted meanwhile,
 * or a server out of step (imap_uid_exists tells).  PROTOCOL when the answer
 * cannot be read (a NUL in a line, a bad literal, data without its UID).
 * (transfer full) */
GBytes *imap_fetch (ImapClient *c, guint32 uid, gboolean header_only, GError **error);

/* Several messages with one `UID FETCH set (UID BODY.PEEK[])` (@uids sorted,
 * guint32), line ends as imap_fetch.  (transfer full) table UID -> GBytes; a
 * message the answer did not hold is missing from it (see imap_fetch);
 * FETCH responses of UIDs not asked for are dropped as they arrive. */
GHashTable *imap_fetch_batch (ImapClient *c, GArray *uids, GError **error);

/* Does @uid still exist?  `UID SEARCH UID uid` in a well-formed exchange:
 * *@exists is FALSE only when the server answered one SEARCH response without
 * it; the only ground for taking a message for deleted.  PROTOCOL when the
 * answer holds no clear SEARCH response, other errors as in the file comment. */
gboolean imap_uid_exists (ImapClient *c, guint32 uid, gboolean *exists, GError **error);

/* Send the `UID FETCH` of imap_fetch_batch for @uids now, without waiting:
 * the server prepares the answer while the caller works on the previous batch.
 * The next imap_fetch_batch for the same @uids reads it; any other command
 * reads it first and keeps it.  One at a time (a second call does nothing). */
gboolean imap_fetch_ahead (ImapClient *c, GArray *uids, GError **error);

/* Acknowledge @uids (guint32 array): move them to @mailbox, created when missing
 * (UID MOVE when advertised, else UID COPY + \Deleted + UID EXPUNGE), or, when
 * @mailbox is NULL, set \Seen.  UIDs that no longer exist are not an error, so
 * repeating an acknowledgement after a crash is harmless. */
gboolean imap_acknowledge (ImapClient *c, GArray *uids, const char *mailbox, GError **error);

/* TRUE while the connection is up and the mailbox selected (no reconnection
 * needed since imap_select). */
gboolean imap_connected (const ImapClient *c);

typedef enum {
	IMAP_IDLE_NEW,       /* the server reported a new message (EXISTS) */
	IMAP_IDLE_TIMEOUT,   /* nothing within the time */
	IMAP_IDLE_WOKEN,     /* @wake_fd became readable (a signal's self-pipe) */
} ImapIdleResult;

/* Wait for new mail with IDLE (RFC 2177) on the selected mailbox, at most
 * @timeout_seconds, re-issued every 25 minutes (servers may log out a client
 * idle for 30); ended with DONE on news, timeout, or when @wake_fd (-1: none)
 * is readable.  Connects again if the connection was lost.  Errors as in the
 * file comment; PROTOCOL when the server has no IDLE capability. */
gboolean imap_idle (ImapClient *c, guint timeout_seconds, int wake_fd, ImapIdleResult *result, GError **error);

/* Bytes read from the server's literals so far (for the pass summary). */
guint64 imap_bytes_fetched (const ImapClient *c);

#endif
