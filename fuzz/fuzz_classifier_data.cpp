// libFuzzer entry point for the labelled-data and keyword readers (CSV, JSONL, CLINC
// JSON, Search Console CSV): user files, so any input must end in data or tq::InputError.
// The first byte picks the reader.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.h"
#include "tasks/classifier/dataset.h"
#include "tasks/seo/keyword_clusters.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 4) {
      case 0:
        (void)tq::tasks::parse_dataset(text, "f.csv", tq::tasks::DatasetFormat::kCsv, {});
        break;
      case 1:
        (void)tq::tasks::parse_dataset(text, "f.jsonl", tq::tasks::DatasetFormat::kJsonl, {});
        break;
      case 2:
        (void)tq::tasks::parse_dataset(text, "f.json", tq::tasks::DatasetFormat::kClinc, {});
        break;
      default: {
        const auto rows = tq::tasks::parse_keywords_csv(text, "k.csv");
        if (rows.size() <= 200) (void)tq::tasks::cluster_keywords(rows);
        break;
      }
    }
  } catch (const tq::InputError&) {
  }
  return 0;
}
