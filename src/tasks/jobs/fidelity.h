// The product-description fidelity check: every attribute value a generated text states
// (quantities with units — dimensions, weights, volumes, percentages, prices in French or
// English notation —, clothing sizes, materials, colours) must be one the catalogue record
// states. A text that says "35 cm" for a 30 cm vase, "lin" for a cotton shirt or "29,99 €"
// for a 29,90 € price fails, with one line per problem that the retry prompt quotes.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tq::tasks {

// What a quantity measures; values are kept in the base unit (mm, g, ml, %, €).
enum class Dimension { Length, Mass, Volume, Percent, Price };

struct Quantity {
  double value = 0;  // in the base unit
  Dimension dim = Dimension::Length;
  std::string text;  // as written: "1 299,00 €"
};

// Quantities with units in free text: "29,90 €", "€29.90", "29€90", "1 299,00 €" (also with
// no-break spaces), "1,5 L", "750 ml", "40 x 60 cm" (both sides), "100 % coton".
std::vector<Quantity> extract_quantities(const std::string& text);

// Parses a number in French or English notation ("1 299,50", "1.299,50", "1,299.50",
// "29,9", "29.9"); false when it is not one.
bool parse_number(const std::string& s, double& out);

struct FidelityReport {
  bool ok = true;
  std::vector<std::string> problems;  // "states 35 cm, the record has no such length (…)"
  std::vector<std::string> checked;   // values found in the text and matched to the record
};

// Checks every attribute value stated in `text` against `record` (a JSON object of
// fields; nested values are searched too).
FidelityReport check_fidelity(const nlohmann::json& record, const std::string& text);

}  // namespace tq::tasks
