// Word lists for person names: common first names and surnames, and the capitalised
// words that must never be taken for a name. Written out by hand from general knowledge
// of the most frequent names in France (INSEE fichier des prénoms), the UK and Ireland
// (ONS, CSO), the US (SSA and Census Bureau lists), Germany, Belgium, the Netherlands,
// Switzerland, Italy, Spain, Portugal, Poland, the Maghreb, West Africa, Turkey, South
// and East Asia — the names a French company's customers and staff carry.
//
// Lookups take a word as written; the `_ci` forms fold ASCII and Latin-1 letters to lower
// case first ("JULIEN", "julien", "Élodie"/"élodie").
#pragma once

#include <string_view>

namespace tq::guard {

bool is_first_name(std::string_view word);     // exact case: "Julien"
bool is_first_name_ci(std::string_view word);  // any case: "julien", "JULIEN"
// First names that are also ordinary words, months or places ("Will", "May", "Rose",
// "France", "Avril"): a name only with a surname or a title beside it.
bool is_ambiguous_first_name(std::string_view word);
// Lower-case words that are first names only when capitalised ("rose", "will", "said",
// "claire"): a lower-case chat name is never one of these unless a greeting precedes.
bool is_common_word_name(std::string_view lower_word);
// Frequent surnames that are not also ordinary words (no "Brown", "Petit", "King"), any
// case: "Patel", "NGUYEN".
bool is_surname_ci(std::string_view word);
// Capitalised words that start sentences, salutations, headings, or name organisations,
// departments and roles ("Mutuelle", "Accounts", "Manager"): never part of a name.
bool is_name_stopword(std::string_view word);
// Nouns of product catalogues ("lampe", "Fauteuil", "sofa", "collection"), any case: a
// first name beside one is a product name ("Lampe Louise", "Victor Armchair").
bool is_product_noun_ci(std::string_view word);

// `word` folded to lower case (ASCII and Latin-1 capitals À..Þ) into `buf`; returns a
// view of buf, or an empty view when the word does not fit.
std::string_view fold_case(std::string_view word, char* buf, size_t size);

}  // namespace tq::guard
