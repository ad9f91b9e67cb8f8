// Runs the triptyque executable (or any command) and captures stdout, stderr and the
// exit code — the CLI is tested as a user runs it.
#pragma once

#include <string>
#include <vector>

namespace tq::test {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// argv[0] is the program; no shell is involved, so arguments need no quoting.
RunResult run(const std::vector<std::string>& argv, const std::string& stdin_text = "");
// The triptyque binary built alongside the tests.
std::string cli_path();

}  // namespace tq::test
