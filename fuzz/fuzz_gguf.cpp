// libFuzzer entry point for the GGUF reader: parse the input as a file, then do what a
// model loader does with it — every typed getter on every key, a lookup and a read of the
// first and last byte of every tensor. Corrupt input must end in tq::Error; anything else
// (a crash, a sanitizer report, another exception escaping) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.h"
#include "engine/gguf/gguf.h"

namespace {

// Getters may reject a key's type; that is an expected outcome, not a finding.
template <class F>
void try_getter(F&& f) {
  try {
    f();
  } catch (const tq::InputError&) {
  }
}

volatile uint64_t g_sink;  // keeps the tensor reads from being optimised away

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto f = tq::GgufFile::open_memory("fuzz.gguf", data, size);
    for (const auto& kv : f->metadata()) {
      const std::string& key = kv.first;  // a named reference: lambdas may capture it
      const tq::GgufValue& value = kv.second;
      try_getter([&] { (void)f->get_string(key); });
      try_getter([&] { (void)f->get_uint(key); });
      try_getter([&] { (void)f->get_int(key); });
      try_getter([&] { (void)f->get_float(key); });
      try_getter([&] { (void)f->get_bool(key); });
      try_getter([&] { (void)f->get_string_array(key); });
      try_getter([&] { (void)f->get_float_array(key); });
      try_getter([&] { (void)f->get_int_array(key); });
      (void)value.array_size();
      (void)tq::gguf_type_name(value.type);
    }
    uint64_t sum = 0;
    for (const auto& t : f->tensors()) {
      if (f->find_tensor(t.name) != &t) __builtin_trap();
      sum += static_cast<uint64_t>(t.n_elements() + t.n_rows());
      sum += tq::row_size(t.type, t.ne[0]);
      if (t.nbytes > 0) {
        const auto* p = static_cast<const uint8_t*>(t.data);
        sum += p[0] + p[t.nbytes - 1];
      }
    }
    g_sink = sum;
  } catch (const tq::Error&) {
  }
  return 0;
}
