// SHA-256 (FIPS 180-4) of a byte string, as lower-case hex: the content hash that makes
// ingestion idempotent.
#pragma once

#include <string>
#include <string_view>

namespace tq::rag {

std::string sha256_hex(std::string_view data);

}  // namespace tq::rag
