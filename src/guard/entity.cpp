#include "guard/entity.h"

#include <array>

namespace tq::guard {
namespace {
constexpr std::array<std::string_view, kEntityTypeCount> kNames = {
    "EMAIL", "PHONE", "IBAN",          "CARD",    "NIR",    "SIREN", "SIRET",
    "VAT",   "IP",    "DATE_OF_BIRTH", "ADDRESS", "PERSON", "CUSTOM"};
}  // namespace

std::string_view type_name(EntityType t) {
  return kNames[static_cast<size_t>(t)];
}

std::optional<EntityType> type_from_name(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<EntityType>(i);
  return std::nullopt;
}

}  // namespace tq::guard
