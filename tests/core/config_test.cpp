#include "core/config.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "core/error.h"

namespace tq {
namespace {

TEST(Config, TypedLookupsFollowDottedPaths) {
  auto t = parse_config("[server]\nport = 8080\nhost = \"0.0.0.0\"\nratio = 0.5\ntls = false\n",
                        "inline");
  EXPECT_EQ(config_int(t, "server.port"), 8080);
  EXPECT_EQ(config_string(t, "server.host"), "0.0.0.0");
  EXPECT_DOUBLE_EQ(*config_number(t, "server.ratio"), 0.5);
  EXPECT_DOUBLE_EQ(*config_number(t, "server.port"), 8080.0);  // integers are numbers
  EXPECT_EQ(config_bool(t, "server.tls"), false);
  EXPECT_FALSE(config_int(t, "server.missing").has_value());
}

TEST(Config, WrongTypeNamesTheKey) {
  auto t = parse_config("[server]\nport = \"eighty\"\n", "inline");
  try {
    (void)config_int(t, "server.port");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("server.port"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("integer"), std::string::npos) << e.what();
  }
}

TEST(Config, SyntaxErrorNamesLineAndColumn) {
  try {
    (void)parse_config("[server]\nport = = 3\n", "triptyque.toml");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("triptyque.toml:2:"), std::string::npos) << e.what();
  }
}

TEST(Config, MissingFileIsAnInputError) {
  EXPECT_THROW((void)load_config_file("/nonexistent/triptyque.toml"), InputError);
}

TEST(Config, SecretsComeFromTheEnvironment) {
  ::setenv("TQ_TEST_SECRET", "s3cret", 1);
  EXPECT_EQ(secret_from_env("TQ_TEST_SECRET", "providers.big.api_key_env"), "s3cret");
  ::unsetenv("TQ_TEST_SECRET");
  try {
    (void)secret_from_env("TQ_TEST_SECRET", "providers.big.api_key_env");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("providers.big.api_key_env"), std::string::npos);
  }
}

}  // namespace
}  // namespace tq
