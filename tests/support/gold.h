// Where the golden data lives and what to do when it is missing: skip with a message,
// or fail under REQUIRE_GOLD=1 (which .ci/run sets).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace tq::test {

// ../shared/gold relative to the project root, or $TQ_GOLD_DIR.
std::filesystem::path gold_dir();
// ../shared/data relative to the project root, or $TQ_DATA_DIR.
std::filesystem::path data_dir();
bool require_gold();
std::string read_file(const std::filesystem::path& p);
// A directory of its own for this test process (<tmp>/tq_tests/<name>.<pid>), created on
// first use: ctest runs each test in its own process, in parallel, so shared names race.
std::filesystem::path scratch_dir(const std::string& name);

}  // namespace tq::test

// Use at the top of a test: skips (or fails under REQUIRE_GOLD=1) when `path` is absent.
#define TQ_REQUIRE_PATH(path)                                                               \
  do {                                                                                      \
    if (!std::filesystem::exists(path)) {                                                   \
      if (::tq::test::require_gold())                                                       \
        FAIL() << "golden data missing: " << (path) << " (REQUIRE_GOLD=1)";                 \
      else                                                                                  \
        GTEST_SKIP() << "golden data missing: " << (path) << " — set TQ_GOLD_DIR or add " \
                     << "../shared beside the checkout";                                    \
    }                                                                                       \
  } while (0)
