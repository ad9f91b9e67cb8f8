// What the guard finds: typed spans of personal or confidential data in UTF-8 text.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tq::guard {

// The printed names (type_name) are part of the CLI and placeholder format: <IBAN_1>.
// CUSTOM is a deny-listed term from the configuration (a project code name, a client).
enum class EntityType {
  Email,
  Phone,
  Iban,
  Card,
  Nir,
  Siren,
  Siret,
  Vat,
  Ip,
  DateOfBirth,
  Address,
  Person,
  Custom,
};
inline constexpr int kEntityTypeCount = 13;

std::string_view type_name(EntityType t);
std::optional<EntityType> type_from_name(std::string_view name);

struct Entity {
  EntityType type = EntityType::Email;
  size_t start = 0;  // byte offsets in the UTF-8 input, [start, end)
  size_t end = 0;
  std::string text;  // exactly as written, inner spaces included
  double confidence = 0.0;
};

}  // namespace tq::guard
