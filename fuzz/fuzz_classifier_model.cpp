// libFuzzer entry point for the classifier model loader. Half the inputs get a valid
// checksum appended, so the fuzzer reaches the header and weight checks behind it instead
// of stopping at the checksum. Corrupt input must end in tq::InputError; a model that
// loads must predict without a crash.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "core/error.h"
#include "tasks/classifier/text_classifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1U) != 0) {
    uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64, as model_file.cpp documents
    for (char c : bytes) {
      h ^= static_cast<unsigned char>(c);
      h *= 0x100000001b3ULL;
    }
    char sum[8];
    std::memcpy(sum, &h, sizeof(sum));
    bytes.append(sum, sizeof(sum));
  }
  try {
    const auto model = tq::tasks::TextClassifier::from_bytes(bytes, "fuzz.tqc");
    (void)model.predict("Où est mon colis ? livraison", 3);
  } catch (const tq::InputError&) {
  }
  return 0;
}
