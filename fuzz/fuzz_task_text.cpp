// The tasks' parsers of untrusted text: e-mail headers/MIME/encodings, date resolution,
// quantity extraction and the fidelity check, order/product references. Input: any bytes,
// read as an e-mail and as free text; a record is built from the first line.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "tasks/jobs/email.h"
#include "tasks/jobs/fidelity.h"
#include "tasks/jobs/references.h"
#include "tasks/jobs/text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 20000) return 0;  // the regex passes are linear-ish; keep runs quick
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto email = tq::tasks::parse_email(text);
  tq::tasks::find_dates(email.body, email.date);
  tq::tasks::find_dates(text, tq::tasks::CivilDate{2026, 11, 24});
  tq::tasks::extract_references(text);
  tq::tasks::detect_language(text);
  const size_t nl = text.find('\n');
  const nlohmann::json record = {{"desc", text.substr(0, nl)}, {"prix", text.substr(0, 8)}};
  tq::tasks::check_fidelity(record, text);
  return 0;
}
