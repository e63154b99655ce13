/* powiat.h - the 36 units (cities with powiat rights and powiaty) of the Silesian
 * voivodeship and the subregion each belongs to.  Pure lookup, no I/O.
 */
#ifndef MAILREG_POWIAT_H
#define MAILREG_POWIAT_H

#include <glib.h>

/* Look up what an applicant wrote as their powiat.  Ignores case, diacritics,
 * surrounding space and the prefixes "m.", "m. st.", "miasto", "powiat", "pow.".
 * Returns the subregion ("centralny", "północny", "południowy", "zachodni") and sets
 * *@canonical to the unit's proper name ("Katowice", "powiat bielski"), or returns
 * NULL when unknown.  Both strings are static. */
const char *powiat_subregion (const char *input, const char **canonical);

/* The canonical subregion for what an applicant wrote ("Centralny", "subregion
 * poludniowy", ...), or NULL.  (static string) */
const char *powiat_subregion_name (const char *input);

#endif
