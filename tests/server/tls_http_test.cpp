// [server.tls] over real HTTPS: a self-signed certificate made at test time (OpenSSL's API,
// an EC P-256 key written to the scratch folder; nothing secret is checked in) is served,
// a client trusting exactly that certificate gets answers, and plain HTTP on the same port
// gets none.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "core/config.h"
#include "core/error.h"
#include "server/server_options.h"
#include "server_fixture.h"

namespace tq {
namespace {

namespace fs = std::filesystem;

// Writes key.pem and cert.pem (valid one day, for IP 127.0.0.1) into `dir`.
void write_self_signed(const fs::path& dir) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  ASSERT_TRUE(key);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);  // v3: extensions
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  // Clients check the address they dialled against subjectAltName; the certificate is
  // its own CA, so the client may trust it as one.
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"},
                                   std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, nid, value);
    ASSERT_NE(ext, nullptr);
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  ASSERT_GT(X509_sign(cert.get(), key.get(), EVP_sha256()), 0);
  FILE* k = std::fopen((dir / "key.pem").c_str(), "w");
  ASSERT_NE(k, nullptr);
  PEM_write_PrivateKey(k, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(k);
  FILE* c = std::fopen((dir / "cert.pem").c_str(), "w");
  ASSERT_NE(c, nullptr);
  PEM_write_X509(c, cert.get());
  std::fclose(c);
}

toml::table tls_config(const fs::path& dir, const std::string& tls) {
  return parse_config("[server]\nport = 0\nthreads = 2\n" + tls + "[ledger]\npath = \"" +
                          (dir / "ledger.sqlite").string() +
                          "\"\n[[server.keys]]\nname = \"tester\"\nsha256 = \"" +
                          sha256_hex("sk-test") + "\"\n",
                      "tls test");
}

TEST(TlsOverHttps, ServesTheConfiguredCertificate) {
  const auto dir = test::scratch_dir("tls_https");
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_self_signed(dir);
  // Relative paths: against the config's folder, like every other path.
  test::RunningGateway gw(tls_config(dir, "[server.tls]\ncert = \"cert.pem\"\nkey = \"key.pem\"\n"),
                          dir);
  ASSERT_EQ(gw.base_url().rfind("https://", 0), 0u);

  httplib::SSLClient c("127.0.0.1", gw.port());
  c.set_ca_cert_path((dir / "cert.pem").c_str());
  c.enable_server_certificate_verification(true);
  c.set_bearer_token_auth("sk-test");
  auto health = c.Get("/health");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
  auto models = c.Get("/v1/models");
  ASSERT_TRUE(models);
  EXPECT_EQ(models->status, 200);
  EXPECT_NE(models->body.find("\"auto\""), std::string::npos);

  // Plain HTTP to the TLS port: no HTTP answer.
  httplib::Client plain("127.0.0.1", gw.port());
  plain.set_read_timeout(5, 0);
  auto r = plain.Get("/health");
  EXPECT_TRUE(!r || r->status != 200);
}

TEST(TlsConfig, NeedsBothFilesAndNamesAMissingOne) {
  const auto dir = test::scratch_dir("tls_config");
  fs::create_directories(dir);
  EXPECT_THROW(
      ServerOptions::from_config(parse_config("[server.tls]\ncert = \"cert.pem\"\n", "half"), dir),
      InputError);
  try {
    App app(tls_config(dir, "[server.tls]\ncert = \"none.pem\"\nkey = \"none-key.pem\"\n"), dir);
    Gateway gw(app);
    ADD_FAILURE() << "a missing certificate was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("none.pem"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tq
