/* web_review.c - the review pages: messages mailreg could not decide, shown
 * safely (headers, text, HTML reduced to text, attachments only as
 * downloads), and the actions that settle them through register/review.h. */
#define G_LOG_DOMAIN "web"
#include "web/web_private.h"

WebReply *
web_review_handle (WebCtx *ctx, WebRequest *req)
{
	return NULL;
}
