// Order numbers and product references (SKUs) in a ticket, by pattern: "commande n° 12345",
// "order #A-2291", "CMD-2026-0153", "réf. LIN-CH-42", "SKU: TS-001-BL", bare codes like
// "VAS-030". Codes after an order word or with an order prefix (CMD, CDE, ORD, ORDER) are
// orders; the other codes are products.
#pragma once

#include <string>
#include <vector>

namespace tq::tasks {

struct References {
  std::vector<std::string> orders;
  std::vector<std::string> products;
};

References extract_references(const std::string& text);

}  // namespace tq::tasks
