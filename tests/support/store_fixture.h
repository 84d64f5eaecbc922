// Test support: a GoogleTest fixture owning a pith::Store in a fresh directory named after the
// running test, trusting one registry key; Open() reopens it, the directory goes after the test.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "pith/keys.h"
#include "pith/store.h"
#include "support/test_events.h"

namespace pith::testing {

class StoreFixture : public ::testing::Test {
 protected:
  // `name` names the store's directory and the registry key (testing::FixedKey).
  explicit StoreFixture(const std::string& name) : name_(name), registry_(FixedKey("registry-" + name)) {}

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("pith-" + name_ + "-test-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(keys_.AddFromJson(registry_.public_entry).ok());
    Open();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // (Re)opens the store, trusting the registry key.
  void Open(const StoreOptions& options = {}) {
    store_.reset();
    auto store = Store::Open(dir_.string(), options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    ASSERT_TRUE(store_->AddKey(registry_.public_entry).ok());
  }

  std::string name_;
  std::filesystem::path dir_;
  SigningKey registry_;
  SigningKey stranger_ = FixedKey("stranger");
  TrustedKeys keys_ = TrustedKeys::Defaults();  // the defaults and the registry key, as the store's
  std::unique_ptr<Store> store_;
};

}  // namespace pith::testing
