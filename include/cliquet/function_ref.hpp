/// @file
/// A non-owning reference to a callable, for callbacks that run
/// before the call that receives them returns (C++20 has no
/// std::function_ref). Unlike std::function it never allocates and costs one
/// indirect call.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace cliquet {

template <typename Signature>
class FunctionRef;

/// A reference to any callable with this signature; it owns nothing.
template <typename Result, typename... Args>
class FunctionRef<Result(Args...)> {
public:
    /// The callable must outlive every call through this reference.
    template <typename Callable>
        requires(!std::is_same_v<std::remove_cvref_t<Callable>, FunctionRef> &&
                 std::is_invocable_r_v<Result, Callable&, Args...>)
    FunctionRef(Callable&& callable) noexcept  // NOLINT(google-explicit-constructor): passed like a lambda
        : object_(const_cast<void*>(static_cast<const void*>(std::addressof(callable)))),
          call_([](void* object, Args... args) -> Result {
              return (*static_cast<std::remove_reference_t<Callable>*>(object))(std::forward<Args>(args)...);
          }) {}

    /// Calls the callable.
    Result operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

private:
    void* object_;
    Result (*call_)(void*, Args...);
};

}  // namespace cliquet
