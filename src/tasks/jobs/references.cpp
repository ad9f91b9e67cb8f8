#include "tasks/jobs/references.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "tasks/jobs/text.h"

namespace tq::tasks {
namespace {

bool has_digit(const std::string& s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

void add_unique(std::vector<std::string>& v, std::string s) {
  while (!s.empty() && (s.back() == '-' || s.back() == '.')) s.pop_back();
  if (s.size() < 3 || !has_digit(s)) return;
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

bool order_prefixed(const std::string& code) {
  std::string up;
  for (const char c : code) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* p : {"CMD", "CDE", "ORD", "ORDER", "COM"})
    if (up.rfind(p, 0) == 0 && up.size() > std::string(p).size() &&
        (up[std::string(p).size()] == '-' ||
         std::isdigit(static_cast<unsigned char>(up[std::string(p).size()])) != 0))
      return true;
  return false;
}

}  // namespace

References extract_references(const std::string& raw) {
  References r;
  // Matching on folded text keeps "n°", "réf." and "numéro" simple; codes are ASCII, so their
  // positions map back to the original through the same folding (upper case restored below).
  const std::string text = regex_safe(fold(raw));
  static const std::regex kOrderWord(
      R"(\b(?:commande|cde|order|cmd|ord)\s*(?:n\s*(?:°|o\.?|\xC2\xB0)|no\.?|numero|number|nr\.?|num\.?|#)?\s*:?\s*#?\s*([a-z0-9][a-z0-9_/-]{2,40}))");
  static const std::regex kHash(R"(#\s*([a-z0-9][a-z0-9-]{3,40}))");
  static const std::regex kProductWord(
      R"(\b(?:sku|ref|reference|article|produit|product|item)\s*(?:n\s*(?:°|o\.?|\xC2\xB0)|no\.?|#)?\s*[.:]?\s*([a-z0-9][a-z0-9_/-]{2,40}))");
  static const std::regex kCode(
      R"((?:^|[^a-z0-9-])([a-z]{2,6}(?:-[a-z0-9]{1,20}){0,4}-[0-9][a-z0-9]{0,20}(?:-[a-z0-9]{1,20}){0,4}))");
  auto upper = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  };
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kOrderWord);
       it != std::sregex_iterator(); ++it)
    add_unique(r.orders, upper((*it)[1].str()));
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kHash);
       it != std::sregex_iterator(); ++it)
    add_unique(r.orders, upper((*it)[1].str()));
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kProductWord);
       it != std::sregex_iterator(); ++it) {
    const auto code = upper((*it)[1].str());
    if (std::find(r.orders.begin(), r.orders.end(), code) == r.orders.end())
      add_unique(r.products, code);
  }
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kCode);
       it != std::sregex_iterator(); ++it) {
    const auto code = upper((*it)[1].str());
    if (std::find(r.orders.begin(), r.orders.end(), code) != r.orders.end()) continue;
    if (order_prefixed(code))
      add_unique(r.orders, code);
    else
      add_unique(r.products, code);
  }
  return r;
}

}  // namespace tq::tasks
