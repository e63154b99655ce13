/* reasons.c - the one table of reason codes and their Polish texts. */
#include "validate/reasons.h"

#include <string.h>

typedef struct {
	const char *code;
	const char *pl;
} Reason;

static const Reason reasons[] = {
	{ REASON_TOO_LARGE, "Wiadomość jest za duża, by odczytać ją automatycznie." },
	{ REASON_NOT_MIME, "Wiadomości nie da się odczytać: ma uszkodzoną budowę (MIME)." },
	{ REASON_NO_FORM, "W wiadomości nie znaleziono wypełnionego formularza zgłoszeniowego." },
	{ REASON_UNREADABLE_ATTACHMENT, "Nie udało się odczytać formularza z załącznika (nieobsługiwany format, "
	                                "skan albo uszkodzony plik)." },
	{ REASON_TRUNCATED, "Wiadomość dotarła ucięta, więc formularz może być niekompletny." },
	{ REASON_OFFER_UNCLEAR, "Odpowiedź „TAK” bez kodu zgłoszenia albo bez naszej propozycji miejsca." },
	{ REASON_NO_EVENT, "Katalog szkoleń nie ma wydarzenia, o które prosi formularz." },
	{ REASON_CANNOT_PROCESS, "Wiadomości nie udało się przetworzyć automatycznie." },
	{ REASON_MISSING_FIELD, "Brak wymaganego pola formularza." },
	{ REASON_INVALID_EMAIL, "Niepoprawny adres e-mail w formularzu." },
	{ REASON_NO_REPLY_ADDRESS, "Brak adresu e-mail, na który można odpowiedzieć." },
	{ REASON_INVALID_CHOICE, "Wartość pola spoza listy dozwolonych." },
	{ REASON_UNKNOWN_POWIAT, "Nierozpoznany powiat." },
	{ REASON_UNREADABLE_CHECKBOX, "Nieczytelne zaznaczenie pola wyboru." },
	{ REASON_NO_CONSENT, "Brak zgody na przetwarzanie danych osobowych." },
	{ REASON_REQUIRED_CHECKBOX, "Niezaznaczone wymagane pole wyboru." },
	{ REASON_NO_SUPPORT_CHOSEN, "Nie zaznaczono żadnej formy wsparcia." },
	{ REASON_BOX_NOT_FOUND, "Nie znaleziono w formularzu wymaganego pola wyboru: mogło zostać źle odczytane." },
	{ REASON_MISSING_TOPIC, "Zaznaczono doradztwo bez numeru tematu." },
	{ REASON_UNKNOWN_TOPIC, "Nierozpoznany temat doradztwa." },
	{ REASON_STAFF_REJECTED, "Zgłoszenie odrzucone przez pracownika." },
	{ REASON_OFFER_TOO_LATE, "Odpowiedź na propozycję miejsca przyszła po terminie." },
	{ REASON_STAFF_COMMAND, "Polecenie pracownika wykonane." },
	{ REASON_STAFF_NO_TOKEN, "Polecenie bez ważnego znacznika powiadomienia: wiadomość nie jest odpowiedzią "
	                         "na nasze powiadomienie." },
	{ REASON_STAFF_WRONG_TOKEN, "Znacznik w odpowiedzi nie pasuje do tej sprawy (podrobiony albo z innego "
	                            "powiadomienia)." },
	{ REASON_STAFF_NOT_STAFF, "Nadawca nie jest pracownikiem uprawnionym do rozstrzygania spraw "
	                          "(ustawienie [mail] staff)." },
	{ REASON_STAFF_SETTLED, "Sprawa została już wcześniej rozstrzygnięta." },
	{ REASON_STAFF_UNKNOWN_COMMAND, "Nie rozpoznano polecenia: odpowiedź musi zaczynać się od ZATWIERDŹ, "
	                                "ODRZUĆ albo ODPOWIEDŹ." },
	{ REASON_STAFF_FAILED, "Polecenia nie udało się wykonać." },
};

static const Reason *
find (const char *code)
{
	for (gsize i = 0; code != NULL && i < G_N_ELEMENTS (reasons); i++)
		if (strcmp (reasons[i].code, code) == 0)
			return &reasons[i];
	return NULL;
}

const char *
reason_text_pl (const char *code)
{
	const Reason *r = find (code);

	return r != NULL ? r->pl : "Inny powód (szczegóły w dzienniku programu).";
}

gboolean
reason_known (const char *code)
{
	return find (code) != NULL;
}
