/**
 * @file
 * cliquet's C API: the Signal protocol (PQXDH, the Double Ratchet with SPQR,
 * sealed sender v1 and v2, sender keys, safety numbers, retry requests) for
 * any language that can call C.
 *
 * The header is C99 and needs nothing but the standard headers it includes;
 * link with `-lcliquet` (the shared library libcliquet.so.0).
 *
 * @par Calls and errors
 * Every call that can fail returns a ::cliquet_status: ::CLIQUET_OK, or the
 * reason it failed (one value per kind of failure the C++ library reports,
 * plus ::CLIQUET_ERR_NO_MEMORY and ::CLIQUET_ERR_INVALID_ARGUMENT).
 * cliquet_last_error_message() then says, for people, what went wrong on
 * the calling thread. No call ever lets an exception or a signal out, and a
 * call that fails changes no store: it leaves every record as it was. On
 * failure the call's outputs are set to nothing (NULL handles, empty buffers).
 *
 * @par Arguments
 * Every pointer argument is checked: a NULL where a value is needed is
 * ::CLIQUET_ERR_INVALID_ARGUMENT. Input bytes are a pointer and a length (the
 * pointer may be NULL only when the length is 0); text (names, paths) is
 * NUL-terminated UTF-8. Optional inputs say so, and take NULL for "none".
 * No call keeps a pointer the caller passed once it has returned: it copies
 * what it keeps.
 *
 * @par Ownership
 * Output bytes land in a ::cliquet_buffer that the library allocates and the
 * caller releases with cliquet_buffer_free(), which first overwrites them
 * (many hold secrets: serialized identities, plaintexts, sender-key
 * distribution messages). Handles (`cliquet_identity`, `cliquet_store`, ...)
 * are made by a `_new`, `_generate`, `_create` or `_open` call and released by
 * the matching `_free`, which accepts NULL. A handle that refers to a store
 * (a session cipher, a pre-key manager) must be freed before that store.
 *
 * @par Threads
 * The library has no global state to guard beyond the per-thread error
 * message. Each handle says what it allows; as in C++ (docs/guide.md,
 * "Threads"), the protocol operations of one conversation must never overlap,
 * whatever the store.
 */
#ifndef CLIQUET_H
#define CLIQUET_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
/** Marks a function of the C API, which libcliquet.so exports. */
#define CLIQUET_C_API __attribute__((visibility("default")))
#else
/** Marks a function of the C API (no attribute needed on this compiler). */
#define CLIQUET_C_API
#endif

#ifdef __cplusplus
/** The enums' underlying type in C++: int, so that, as in C, every int a
 *  caller passes is a value of the enum (the library refuses the ones it
 *  does not know). Nothing in C. */
#define CLIQUET_ENUM_BASE : int
#else
/** The enums' underlying type in C++ (nothing in C). */
#define CLIQUET_ENUM_BASE
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ==== Status, errors and buffers ======================================= */

/** What a call did: ::CLIQUET_OK, or why it failed. */
typedef enum cliquet_status CLIQUET_ENUM_BASE {
    CLIQUET_OK = 0,                      /**< success */
    CLIQUET_ERR_INVALID_KEY = 1,         /**< a key of the wrong type, length or form */
    CLIQUET_ERR_INVALID_SIGNATURE = 2,   /**< a signature that does not verify */
    CLIQUET_ERR_INVALID_MESSAGE = 3,     /**< failed MAC, bad padding, malformed bytes, wrong version */
    CLIQUET_ERR_DUPLICATE_MESSAGE = 4,   /**< a message already decrypted */
    CLIQUET_ERR_UNTRUSTED_IDENTITY = 5,  /**< a known address presented a different identity key */
    CLIQUET_ERR_NO_SESSION = 6,          /**< no session (or no usable one) with that address */
    CLIQUET_ERR_INVALID_CERTIFICATE = 7, /**< bad signature, wrong trust root, expired, revoked key id */
    CLIQUET_ERR_INVALID_PRE_KEY = 8,     /**< an unknown or already used pre-key id */
    CLIQUET_ERR_INVALID_ARGUMENT = 9,    /**< an argument the call cannot accept (a NULL pointer among them) */
    CLIQUET_ERR_STORAGE = 10,            /**< the store failed, or holds what it should not */
    CLIQUET_ERR_UNSUPPORTED = 11,        /**< a known feature or version this build does not offer */
    CLIQUET_ERR_NO_MEMORY = 12,          /**< an allocation failed */
    CLIQUET_ERR_INTERNAL = 13            /**< a failure the library did not expect (a bug: please report it) */
} cliquet_status;

/**
 * The failure of the last call that failed on this thread, for logs and
 * people ("" if none has). The text stays valid until the next failing call
 * on this thread. Programs branch on the ::cliquet_status, not on this text.
 */
CLIQUET_C_API const char* cliquet_last_error_message(void);

/** The name of a status, as the peer protocol spells the errors ("ok",
 *  "invalid_key", ..., "no_memory", "internal"); "unknown" for a value
 *  outside ::cliquet_status. Static text: never freed. */
CLIQUET_C_API const char* cliquet_status_name(cliquet_status status);

/** The library's version ("0.1.0"). Static text: never freed. */
CLIQUET_C_API const char* cliquet_version(void);

/**
 * Bytes the library allocated for the caller. `len` bytes at `data` (NULL
 * when `len` is 0). Text outputs (a safety number, a sender's UUID) also
 * have a NUL after the `len` bytes, so `data` reads as a C string.
 *
 * A buffer is zero-initialised by the caller ({NULL, 0}), filled by one
 * call, and released by cliquet_buffer_free(). A call that fills a buffer
 * overwrites it without freeing it: free a buffer before reusing it. Do not
 * change `data` or `len`.
 */
typedef struct cliquet_buffer {
    uint8_t* data; /**< the bytes, owned by the library */
    size_t len;    /**< how many */
} cliquet_buffer;

/** Overwrites the buffer's bytes, frees them and sets it to {NULL, 0}.
 *  NULL, and an empty buffer, are accepted. */
CLIQUET_C_API void cliquet_buffer_free(cliquet_buffer* buffer);

/**
 * Fills `buffer` with a copy of `len` bytes at `data`: how a callback store
 * (::cliquet_store_callbacks) hands a value back to the library. Frees what
 * `buffer` held first.
 */
CLIQUET_C_API cliquet_status cliquet_buffer_set(cliquet_buffer* buffer, const uint8_t* data, size_t len);

/* ==== Keys and identities ============================================== */

/** Size of a serialized Curve25519 public key (type byte 0x05 and 32 bytes). */
#define CLIQUET_PUBLIC_KEY_SIZE 33
/** Size of a serialized Curve25519 private key. */
#define CLIQUET_PRIVATE_KEY_SIZE 32

/**
 * A fresh Curve25519 key pair: the 33-byte public key and the 32-byte private
 * key (a secret). For the keys of sealed sender's certificate chain: the
 * trust root and the server key.
 */
CLIQUET_C_API cliquet_status cliquet_key_pair_generate(cliquet_buffer* public_key, cliquet_buffer* private_key);

/**
 * One device's identity: its identity key pair (shared by the devices of an
 * account) and its registration id.
 *
 * Threads: immutable once made; any number of threads may read one at once.
 */
typedef struct cliquet_identity cliquet_identity;

/** A fresh identity key pair and a random registration id (1 to 16380). */
CLIQUET_C_API cliquet_status cliquet_identity_generate(cliquet_identity** identity);

/**
 * An identity from the bytes cliquet_identity_serialize() wrote (libsignal's
 * IdentityKeyPairStructure) and a registration id (1 to 16380; another is
 * ::CLIQUET_ERR_INVALID_ARGUMENT). Bad bytes are ::CLIQUET_ERR_INVALID_KEY.
 */
CLIQUET_C_API cliquet_status cliquet_identity_deserialize(const uint8_t* data, size_t len, uint32_t registration_id,
                                                          cliquet_identity** identity);

/** The identity key pair's serialized form (a secret: the private key is in it). */
CLIQUET_C_API cliquet_status cliquet_identity_serialize(const cliquet_identity* identity, cliquet_buffer* out);

/** The 33-byte public identity key, as others see it. */
CLIQUET_C_API cliquet_status cliquet_identity_public_key(const cliquet_identity* identity, cliquet_buffer* out);

/** The registration id. */
CLIQUET_C_API cliquet_status cliquet_identity_registration_id(const cliquet_identity* identity,
                                                              uint32_t* registration_id);

/** Releases an identity (the private key is wiped). NULL is accepted. */
CLIQUET_C_API void cliquet_identity_free(cliquet_identity* identity);

/* ==== Stores =========================================================== */

/**
 * Where one device keeps its keys, sessions, trust decisions and sender keys:
 * an in-memory store, a SQLite database, or the application's own storage
 * given as callbacks.
 *
 * Threads: an in-memory store and a callback store belong to one thread at a
 * time (calls on them must not overlap). A SQLite store may be shared by
 * threads: every call runs under its lock. In every case the operations of
 * one conversation (one remote address, one group sender) must not overlap.
 */
typedef struct cliquet_store cliquet_store;

/** An empty in-memory store for the device with this identity (copied). */
CLIQUET_C_API cliquet_status cliquet_store_new_memory(const cliquet_identity* identity, cliquet_store** store);

/**
 * Creates a SQLite database at `path` for the device `local_name`.
 * `local_device_id` with `identity` (copied). An existing file that is not
 * empty is refused (::CLIQUET_ERR_STORAGE): creating never overwrites.
 * `storage_key`, optional (NULL), is 32 bytes that seal every value at rest
 * (another length is ::CLIQUET_ERR_INVALID_ARGUMENT); the same key is needed
 * to open the file. Commits are durable against power
 * loss, and deleted keys leave the disk on commit (docs/storage.md).
 */
CLIQUET_C_API cliquet_status cliquet_store_create_sqlite(const char* path, const char* local_name,
                                                         uint32_t local_device_id, const cliquet_identity* identity,
                                                         const uint8_t* storage_key, size_t storage_key_len,
                                                         cliquet_store** store);

/**
 * Opens the SQLite database at `path`. A missing, damaged or foreign file, a
 * wrong or missing storage key, or a file open elsewhere is
 * ::CLIQUET_ERR_STORAGE, and the file is left as it was.
 */
CLIQUET_C_API cliquet_status cliquet_store_open_sqlite(const char* path, const uint8_t* storage_key,
                                                       size_t storage_key_len, cliquet_store** store);

/**
 * The kinds of record a callback store keeps. Each kind is its own table of
 * (key, value) byte strings; the library makes the keys and values, and the
 * application stores them as opaque bytes.
 */
typedef enum cliquet_record_kind CLIQUET_ENUM_BASE {
    CLIQUET_RECORD_IDENTITY = 1,             /**< the identity key seen for an address */
    CLIQUET_RECORD_PRE_KEY = 2,              /**< a one-time pre-key (a secret) */
    CLIQUET_RECORD_SIGNED_PRE_KEY = 3,       /**< a signed pre-key (a secret) */
    CLIQUET_RECORD_KYBER_PRE_KEY = 4,        /**< a Kyber pre-key and its kind (a secret) */
    CLIQUET_RECORD_KYBER_PRE_KEY_USE = 5,    /**< a base key a last-resort Kyber pre-key was used with */
    CLIQUET_RECORD_SESSION = 6,              /**< the session with an address (a secret) */
    CLIQUET_RECORD_SENDER_KEY = 7,           /**< a sender key of a group sender (a secret) */
    CLIQUET_RECORD_PRE_KEY_METADATA = 8      /**< the pre-key manager's ids and current keys (one record) */
} cliquet_record_kind;

/** Where a callback store's `list` callback puts the keys it holds. */
typedef struct cliquet_key_list cliquet_key_list;

/** Adds a copy of one key to `list`, from inside a `list` callback. */
CLIQUET_C_API cliquet_status cliquet_key_list_add(cliquet_key_list* list, const uint8_t* key, size_t key_len);

/**
 * An application's own storage, as a key-value store with transactions: the
 * library keeps every record in it and does the rest (trust on first use,
 * pre-key bookkeeping, the formats).
 *
 * Each callback returns ::CLIQUET_OK, or a failure status that the library
 * call in progress then returns (after rolling back; ::CLIQUET_ERR_NO_MEMORY
 * reads as an allocation failure, any other as the status it is). The
 * `key` and `value` pointers the library passes are valid only during the
 * callback: copy what you keep. Values are returned through
 * cliquet_buffer_set(), which copies; the application keeps ownership of its
 * own memory.
 *
 * Transactions: `begin`, `commit` and `rollback` are all given, or all NULL.
 * Given, every library call that writes wraps its writes in begin ...
 * commit, and calls rollback (whose status is ignored) if anything failed in
 * between, including commit: the application must then put back every
 * record as it was at begin. Without them, a failure partway through a call
 * may leave some of its writes behind. Reads happen outside and inside
 * transactions, and must see the writes made in the open one.
 *
 * Most values hold secrets (see ::cliquet_record_kind): keep them as such.
 */
typedef struct cliquet_store_callbacks {
    /** Passed, untouched, as the first argument of every callback. */
    void* context;
    /** Copies the value under (`kind`, `key`) into `value` with
     *  cliquet_buffer_set() and sets `*found` to 1, or sets `*found` to 0. */
    cliquet_status (*get)(void* context, cliquet_record_kind kind, const uint8_t* key, size_t key_len,
                          cliquet_buffer* value, int* found);
    /** Adds or replaces the value under (`kind`, `key`). */
    cliquet_status (*put)(void* context, cliquet_record_kind kind, const uint8_t* key, size_t key_len,
                          const uint8_t* value, size_t value_len);
    /** Removes the value under (`kind`, `key`); an absent one is not an error. */
    cliquet_status (*remove)(void* context, cliquet_record_kind kind, const uint8_t* key, size_t key_len);
    /** Adds every key held under `kind` to `keys` with cliquet_key_list_add(), in any order. */
    cliquet_status (*list)(void* context, cliquet_record_kind kind, cliquet_key_list* keys);
    /** Starts a transaction (optional). Transactions do not nest. */
    cliquet_status (*begin)(void* context);
    /** Makes the open transaction's writes durable (optional). */
    cliquet_status (*commit)(void* context);
    /** Undoes every write of the open transaction (optional). */
    cliquet_status (*rollback)(void* context);
} cliquet_store_callbacks;

/**
 * A store over the application's callbacks (copied: the struct may go once
 * the call returns; `context` must live as long as the store) for the device
 * with this identity (copied). The callbacks run on the thread that made the
 * library call.
 */
CLIQUET_C_API cliquet_status cliquet_store_new_callbacks(const cliquet_store_callbacks* callbacks,
                                                         const cliquet_identity* identity, cliquet_store** store);

/** Releases a store (a SQLite one is closed). Free the ciphers and pre-key
 *  managers made over it first. NULL is accepted. */
CLIQUET_C_API void cliquet_store_free(cliquet_store* store);

/** A copy of the identity of the device the store belongs to. */
CLIQUET_C_API cliquet_status cliquet_store_local_identity(cliquet_store* store, cliquet_identity** identity);

/** What recording an identity key did. */
typedef enum cliquet_identity_change CLIQUET_ENUM_BASE {
    CLIQUET_IDENTITY_NEW = 0,       /**< the address had no identity key recorded */
    CLIQUET_IDENTITY_UNCHANGED = 1, /**< the address had this same key */
    CLIQUET_IDENTITY_REPLACED = 2   /**< the address had another key: its safety number changed */
} cliquet_identity_change;

/**
 * The identity key recorded for an address (33 bytes into `key`), with
 * `*found` set to 1; or `*found` set to 0 and `key` left empty.
 */
CLIQUET_C_API cliquet_status cliquet_store_get_identity(cliquet_store* store, const char* name, uint32_t device_id,
                                                        cliquet_buffer* key, int* found);

/**
 * Records `key` for an address: what an application does once its user
 * accepts a changed safety number (after ::CLIQUET_ERR_UNTRUSTED_IDENTITY).
 * `change` (optional, NULL) says what it did.
 */
CLIQUET_C_API cliquet_status cliquet_store_save_identity(cliquet_store* store, const char* name, uint32_t device_id,
                                                         const uint8_t* key, size_t key_len,
                                                         cliquet_identity_change* change);

/* ==== Pre-keys ========================================================= */

/**
 * The public pre-keys of one device, as a server hands them out: the
 * registration and device ids, the identity key, a signed pre-key, and
 * optionally a one-time pre-key and a Kyber pre-key. With a Kyber pre-key a
 * session is PQXDH (version 4); without, X3DH (version 3).
 *
 * Threads: immutable once made.
 */
typedef struct cliquet_pre_key_bundle cliquet_pre_key_bundle;

/**
 * A bundle from its parts. `pre_key` (33 bytes) and `kyber_pre_key` (with its
 * type byte) are optional: NULL (with length 0) leaves them out, and then
 * their ids (and the Kyber signature) are ignored. A malformed key is
 * ::CLIQUET_ERR_INVALID_KEY; a signature that is not 64 bytes,
 * ::CLIQUET_ERR_INVALID_ARGUMENT. Signatures are checked when a session is
 * started from the bundle.
 */
CLIQUET_C_API cliquet_status cliquet_pre_key_bundle_new(
    uint32_t registration_id, uint32_t device_id, const uint8_t* identity_key, size_t identity_key_len,
    uint32_t signed_pre_key_id, const uint8_t* signed_pre_key, size_t signed_pre_key_len,
    const uint8_t* signed_pre_key_signature, size_t signed_pre_key_signature_len, uint32_t pre_key_id,
    const uint8_t* pre_key, size_t pre_key_len, uint32_t kyber_pre_key_id, const uint8_t* kyber_pre_key,
    size_t kyber_pre_key_len, const uint8_t* kyber_pre_key_signature, size_t kyber_pre_key_signature_len,
    cliquet_pre_key_bundle** bundle);

/** Releases a bundle. NULL is accepted. */
CLIQUET_C_API void cliquet_pre_key_bundle_free(cliquet_pre_key_bundle* bundle);

/**
 * The public keys a device uploads to its server: a signed pre-key and a
 * last-resort Kyber pre-key (each possibly absent) and lists of one-time EC
 * and Kyber pre-keys (possibly empty). Made by a ::cliquet_pre_key_manager.
 *
 * Threads: immutable once made.
 */
typedef struct cliquet_pre_key_upload cliquet_pre_key_upload;

/** Whether the upload holds nothing (`*empty` 1) or something (0). */
CLIQUET_C_API cliquet_status cliquet_pre_key_upload_is_empty(const cliquet_pre_key_upload* upload, int* empty);

/**
 * The signed pre-key: `*present` 1 with its id, 33-byte key and 64-byte
 * signature; or `*present` 0 and nothing else filled.
 */
CLIQUET_C_API cliquet_status cliquet_pre_key_upload_signed_pre_key(const cliquet_pre_key_upload* upload, int* present,
                                                                   uint32_t* id, cliquet_buffer* key,
                                                                   cliquet_buffer* signature);

/** The last-resort Kyber pre-key, as cliquet_pre_key_upload_signed_pre_key()
 *  (the key with its type byte). */
CLIQUET_C_API cliquet_status cliquet_pre_key_upload_last_resort_kyber_pre_key(const cliquet_pre_key_upload* upload,
                                                                              int* present, uint32_t* id,
                                                                              cliquet_buffer* key,
                                                                              cliquet_buffer* signature);

/** How many one-time EC pre-keys the upload holds. */
CLIQUET_C_API cliquet_status cliquet_pre_key_upload_one_time_pre_key_count(const cliquet_pre_key_upload* upload,
                                                                           size_t* count);

/** The one-time EC pre-key at `index` (below the count): its id and 33-byte
 *  key. An index past the end is ::CLIQUET_ERR_INVALID_ARGUMENT. */
CLIQUET_C_API cliquet_status cliquet_pre_key_upload_one_time_pre_key(const cliquet_pre_key_upload* upload,
                                                                     size_t index, uint32_t* id, cliquet_buffer* key);

/** How many one-time Kyber pre-keys the upload holds. */
CLIQUET_C_API cliquet_status cliquet_pre_key_upload_one_time_kyber_pre_key_count(
    const cliquet_pre_key_upload* upload, size_t* count);

/** The one-time Kyber pre-key at `index`: its id, key (with its type byte)
 *  and 64-byte signature. */
CLIQUET_C_API cliquet_status cliquet_pre_key_upload_one_time_kyber_pre_key(const cliquet_pre_key_upload* upload,
                                                                           size_t index, uint32_t* id,
                                                                           cliquet_buffer* key,
                                                                           cliquet_buffer* signature);

/**
 * A bundle as a server would serve it from `upload`, for the device with
 * `identity_key` (33 bytes), `registration_id` and `device_id`: the signed
 * pre-key, the first one-time EC pre-key if any, and the first one-time Kyber
 * pre-key, or the last-resort one if there is none. An upload without a
 * signed pre-key is ::CLIQUET_ERR_INVALID_ARGUMENT.
 */
CLIQUET_C_API cliquet_status cliquet_pre_key_upload_bundle(const cliquet_pre_key_upload* upload,
                                                           uint32_t registration_id, uint32_t device_id,
                                                           const uint8_t* identity_key, size_t identity_key_len,
                                                           cliquet_pre_key_bundle** bundle);

/** Releases an upload. NULL is accepted. */
CLIQUET_C_API void cliquet_pre_key_upload_free(cliquet_pre_key_upload* upload);

/**
 * Runs a device's pre-keys through their life over its store: one-time keys
 * generated in batches and replenished, the signed and last-resort Kyber
 * pre-keys rotated every two days and their predecessors deleted after 30
 * days (docs/guide.md, "Keys and sessions over time").
 *
 * Threads: as its store; calls on one manager must not overlap.
 */
typedef struct cliquet_pre_key_manager cliquet_pre_key_manager;

/**
 * A manager over `store`, which must outlive it. One-time keys come in
 * batches of `batch_size`, made when fewer than `replenish_below` remain
 * (0 and 0: the defaults, 100 and 10; a batch of 0 with another
 * `replenish_below` is ::CLIQUET_ERR_INVALID_ARGUMENT).
 */
CLIQUET_C_API cliquet_status cliquet_pre_key_manager_new(cliquet_store* store, size_t batch_size,
                                                         size_t replenish_below, cliquet_pre_key_manager** manager);

/** Releases a manager. NULL is accepted. */
CLIQUET_C_API void cliquet_pre_key_manager_free(cliquet_pre_key_manager* manager);

/**
 * The periodic step, in one transaction: replenishes, rotates and deletes
 * what is due, and returns what is new (what to upload; empty when nothing
 * was due). Run it at registration, then daily or at every start.
 */
CLIQUET_C_API cliquet_status cliquet_pre_key_manager_run_schedule(cliquet_pre_key_manager* manager,
                                                                  cliquet_pre_key_upload** upload);

/** Everything published now: the current signed and last-resort keys and every
 *  unused one-time key, for a first or a full upload. */
CLIQUET_C_API cliquet_status cliquet_pre_key_manager_upload_set(cliquet_pre_key_manager* manager,
                                                                cliquet_pre_key_upload** upload);

/** Makes and stores `count` one-time EC pre-keys; the upload holds them. */
CLIQUET_C_API cliquet_status cliquet_pre_key_manager_generate_one_time_pre_keys(cliquet_pre_key_manager* manager,
                                                                                size_t count,
                                                                                cliquet_pre_key_upload** upload);

/** Makes and stores `count` one-time Kyber pre-keys; the upload holds them. */
CLIQUET_C_API cliquet_status cliquet_pre_key_manager_generate_one_time_kyber_pre_keys(
    cliquet_pre_key_manager* manager, size_t count, cliquet_pre_key_upload** upload);

/** Replaces the signed pre-key now; the upload holds the new one. */
CLIQUET_C_API cliquet_status cliquet_pre_key_manager_rotate_signed_pre_key(cliquet_pre_key_manager* manager,
                                                                           cliquet_pre_key_upload** upload);

/** Replaces the last-resort Kyber pre-key now; the upload holds the new one. */
CLIQUET_C_API cliquet_status cliquet_pre_key_manager_rotate_last_resort_kyber_pre_key(
    cliquet_pre_key_manager* manager, cliquet_pre_key_upload** upload);

/** How many unused one-time EC and Kyber pre-keys the store holds. */
CLIQUET_C_API cliquet_status cliquet_pre_key_manager_unused_counts(const cliquet_pre_key_manager* manager,
                                                                   size_t* one_time_pre_keys,
                                                                   size_t* one_time_kyber_pre_keys);

/* ==== Sessions ========================================================= */

/** libsignal's ciphertext message types. */
typedef enum cliquet_message_type CLIQUET_ENUM_BASE {
    CLIQUET_MESSAGE_WHISPER = 2,    /**< a Double Ratchet message, once the peer has answered */
    CLIQUET_MESSAGE_PRE_KEY = 3,    /**< a message that starts a session, until the peer answers */
    CLIQUET_MESSAGE_SENDER_KEY = 7, /**< a group message */
    CLIQUET_MESSAGE_PLAINTEXT = 8   /**< a retry request, sent unencrypted */
} cliquet_message_type;

/** What a new session requires of the peer's post-quantum protection. */
typedef enum cliquet_pq_ratchet_policy CLIQUET_ENUM_BASE {
    /** Today's Signal, and the default: PQXDH with SPQR only. A bundle without
     *  a Kyber pre-key is ::CLIQUET_ERR_UNSUPPORTED, a version-3 pre-key
     *  message ::CLIQUET_ERR_INVALID_MESSAGE. */
    CLIQUET_PQ_RATCHET_REQUIRE = 0,
    /** For peers on older libsignal: X3DH sessions (version 3) are accepted,
     *  and SPQR is offered but used only once the peer speaks it. */
    CLIQUET_PQ_RATCHET_OFFER = 1
} cliquet_pq_ratchet_policy;

/**
 * Starts an outgoing session with (`name`, `device_id`) from its bundle; an
 * existing session is archived. ::CLIQUET_ERR_UNTRUSTED_IDENTITY if the
 * address is known with another identity key, ::CLIQUET_ERR_INVALID_SIGNATURE
 * for a forged pre-key signature, ::CLIQUET_ERR_UNSUPPORTED for a bundle
 * without a Kyber pre-key under ::CLIQUET_PQ_RATCHET_REQUIRE.
 */
CLIQUET_C_API cliquet_status cliquet_process_pre_key_bundle(cliquet_store* store, const char* name,
                                                            uint32_t device_id, const cliquet_pre_key_bundle* bundle,
                                                            cliquet_pq_ratchet_policy policy);

/**
 * Encrypts to and decrypts from one remote address through a store.
 *
 * Threads: as its store; the calls of one cipher, and of every cipher for the
 * same remote address, must not overlap.
 */
typedef struct cliquet_session_cipher cliquet_session_cipher;

/**
 * A cipher from this device (`local_name`, `local_device_id`) to the remote
 * one, over `store`, which must outlive it. When both names are service ids
 * (ACI UUID strings), the first messages bind both ends, so they cannot be
 * replayed to another device. `policy` applies to a session that a pre-key
 * message from the remote address starts.
 */
CLIQUET_C_API cliquet_status cliquet_session_cipher_new(cliquet_store* store, const char* local_name,
                                                        uint32_t local_device_id, const char* remote_name,
                                                        uint32_t remote_device_id, cliquet_pq_ratchet_policy policy,
                                                        cliquet_session_cipher** cipher);

/** Releases a cipher. NULL is accepted. */
CLIQUET_C_API void cliquet_session_cipher_free(cliquet_session_cipher* cipher);

/**
 * Encrypts `plaintext`: a pre-key message until the peer has answered, a
 * whisper message after; `*type` says which. ::CLIQUET_ERR_NO_SESSION without
 * a usable session, ::CLIQUET_ERR_UNTRUSTED_IDENTITY if the session's identity
 * is no longer trusted.
 */
CLIQUET_C_API cliquet_status cliquet_session_cipher_encrypt(cliquet_session_cipher* cipher, const uint8_t* plaintext,
                                                            size_t plaintext_len, cliquet_message_type* type,
                                                            cliquet_buffer* ciphertext);

/**
 * Decrypts a message of `type` (::CLIQUET_MESSAGE_PRE_KEY or
 * ::CLIQUET_MESSAGE_WHISPER; another type is ::CLIQUET_ERR_INVALID_ARGUMENT).
 * ::CLIQUET_ERR_INVALID_MESSAGE for bytes that are malformed or do not
 * authenticate, ::CLIQUET_ERR_DUPLICATE_MESSAGE for one already decrypted,
 * ::CLIQUET_ERR_INVALID_PRE_KEY for a pre-key no longer held,
 * ::CLIQUET_ERR_UNTRUSTED_IDENTITY for a sender whose identity key changed,
 * ::CLIQUET_ERR_NO_SESSION for a whisper message without a session. A
 * message that fails changes nothing.
 */
CLIQUET_C_API cliquet_status cliquet_session_cipher_decrypt(cliquet_session_cipher* cipher, cliquet_message_type type,
                                                            const uint8_t* ciphertext, size_t ciphertext_len,
                                                            cliquet_buffer* plaintext);

/** cliquet_session_cipher_decrypt() of a pre-key message. */
CLIQUET_C_API cliquet_status cliquet_session_cipher_decrypt_pre_key_message(cliquet_session_cipher* cipher,
                                                                            const uint8_t* ciphertext,
                                                                            size_t ciphertext_len,
                                                                            cliquet_buffer* plaintext);

/** cliquet_session_cipher_decrypt() of a whisper message. */
CLIQUET_C_API cliquet_status cliquet_session_cipher_decrypt_whisper_message(cliquet_session_cipher* cipher,
                                                                            const uint8_t* ciphertext,
                                                                            size_t ciphertext_len,
                                                                            cliquet_buffer* plaintext);

/**
 * The version of the current session with an address: 3 (X3DH) or 4 (PQXDH),
 * or 0 when there is no session or no current state.
 */
CLIQUET_C_API cliquet_status cliquet_session_version(cliquet_store* store, const char* name, uint32_t device_id,
                                                     int* version);

/**
 * Archives the current session with an address, as a user-initiated reset
 * does: the next message needs a new bundle, while late messages of the
 * archived state still decrypt. No session is not an error.
 */
CLIQUET_C_API cliquet_status cliquet_session_archive(cliquet_store* store, const char* name, uint32_t device_id);

/** Deletes the session with an address, archived states included. No
 *  session is not an error. */
CLIQUET_C_API cliquet_status cliquet_session_delete(cliquet_store* store, const char* name, uint32_t device_id);

/** Deletes the sessions with every device of account `name`; `deleted`
 *  (optional, NULL) says how many there were. */
CLIQUET_C_API cliquet_status cliquet_session_delete_all(cliquet_store* store, const char* name, size_t* deleted);

/* ==== Sealed sender ==================================================== */

/** Size of a service id in its fixed-width form: a kind byte (0 ACI, 1 PNI)
 *  and the 16 UUID bytes. */
#define CLIQUET_SERVICE_ID_SIZE 17

/** An address: an account name (an ACI UUID string for sealed sender) and a
 *  device id. The library copies the name. */
typedef struct cliquet_address {
    const char* name;   /**< NUL-terminated */
    uint32_t device_id; /**< the device of that account */
} cliquet_address;

/**
 * A server certificate: the trust root (its 32-byte private key) signs the
 * server key (33 bytes) under `key_id`. The trust root's public key is what
 * clients ship with.
 */
CLIQUET_C_API cliquet_status cliquet_server_certificate_create(uint32_t key_id, const uint8_t* server_key,
                                                               size_t server_key_len, const uint8_t* trust_root_private,
                                                               size_t trust_root_private_len,
                                                               cliquet_buffer* certificate);

/**
 * A sender certificate, signed by the server key (its 32-byte private key
 * and its server certificate): the sender's ACI `uuid`, phone number `e164`
 * (optional, NULL), device id (1 to 127) and 33-byte identity key, valid until
 * `expiration_ms` (milliseconds since the Unix epoch).
 */
CLIQUET_C_API cliquet_status cliquet_sender_certificate_create(
    const char* uuid, const char* e164, uint32_t device_id, const uint8_t* identity_key, size_t identity_key_len,
    uint64_t expiration_ms, const uint8_t* server_certificate, size_t server_certificate_len,
    const uint8_t* server_private_key, size_t server_private_key_len, cliquet_buffer* certificate);

/**
 * Checks a sender certificate against the trust root's 33-byte public key at
 * `now_ms`: ::CLIQUET_OK, or ::CLIQUET_ERR_INVALID_CERTIFICATE saying why not.
 */
CLIQUET_C_API cliquet_status cliquet_sender_certificate_validate(const uint8_t* certificate, size_t certificate_len,
                                                                 const uint8_t* trust_root, size_t trust_root_len,
                                                                 uint64_t now_ms);

/**
 * Encrypts `plaintext` with the session to the destination, then seals it
 * (version 1) to its identity key with the sender's certificate inside.
 * ::CLIQUET_ERR_NO_SESSION without a session or identity key for it.
 */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_encrypt(cliquet_store* store, const char* name,
                                                           uint32_t device_id, const uint8_t* sender_certificate,
                                                           size_t sender_certificate_len, const uint8_t* plaintext,
                                                           size_t plaintext_len, cliquet_buffer* sealed);

/** How a recipient should react to a sealed message it cannot decrypt. */
typedef enum cliquet_content_hint CLIQUET_ENUM_BASE {
    CLIQUET_CONTENT_HINT_NONE = 0,       /**< the sender will not resend: show an error */
    CLIQUET_CONTENT_HINT_RESENDABLE = 1, /**< the sender will resend: delay any error */
    CLIQUET_CONTENT_HINT_IMPLICIT = 2    /**< show nothing (receipts, typing indicators) */
} cliquet_content_hint;

/**
 * Seals one message (version 2) to every device in `destinations` (addresses
 * named by ACI), whose sessions and identity keys the store holds; the result
 * is the "sent" message for the server, which fans it out
 * (::cliquet_sealed_sender_sent). The message sealed is `content` of
 * `content_type` (typically a ::CLIQUET_MESSAGE_SENDER_KEY message from
 * cliquet_group_encrypt()) with the sender's certificate, `hint` and
 * `group_id` (optional, NULL). `excluded` holds `excluded_count` service ids
 * of CLIQUET_SERVICE_ID_SIZE bytes each (optional, NULL with count 0):
 * accounts deliberately left out. ::CLIQUET_ERR_NO_SESSION for a destination
 * without a session or identity key; ::CLIQUET_ERR_INVALID_ARGUMENT for a
 * name that is not a service id, an account both a destination and excluded,
 * devices of one account known with different identity keys, or an unknown
 * content type.
 */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_multi_recipient_encrypt(
    cliquet_store* store, const cliquet_address* destinations, size_t destination_count, const uint8_t* excluded,
    size_t excluded_count, cliquet_message_type content_type, const uint8_t* content, size_t content_len,
    const uint8_t* sender_certificate, size_t sender_certificate_len, cliquet_content_hint hint,
    const uint8_t* group_id, size_t group_id_len, cliquet_buffer* sealed);

/**
 * What cliquet_sealed_sender_decrypt() learned: the validated sender, the
 * plaintext, and what the envelope said about it.
 *
 * Threads: immutable once made.
 */
typedef struct cliquet_sealed_sender_result cliquet_sealed_sender_result;

/**
 * Opens a sealed message (version 1, or a version 2 "received" message),
 * validates the sender's certificate against the trust root's public key at
 * `now_ms`, and decrypts the message inside with the right cipher (the
 * session, the group's sender key; a plaintext retry request is only parsed).
 * This device is `local_uuid` (its ACI), `local_e164` (optional, NULL) and
 * `local_device_id`: a message claiming to come from it is refused. `policy`
 * applies to a session a sealed pre-key message starts.
 * ::CLIQUET_ERR_INVALID_MESSAGE for a bad envelope,
 * ::CLIQUET_ERR_INVALID_CERTIFICATE for a certificate that does not validate,
 * and the inner cipher's failure otherwise. A failure changes nothing.
 */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_decrypt(cliquet_store* store, const uint8_t* sealed,
                                                           size_t sealed_len, const uint8_t* trust_root,
                                                           size_t trust_root_len, uint64_t now_ms,
                                                           const char* local_uuid, const char* local_e164,
                                                           uint32_t local_device_id, cliquet_pq_ratchet_policy policy,
                                                           cliquet_sealed_sender_result** result);

/** The sender's ACI, as text. */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_result_sender_uuid(const cliquet_sealed_sender_result* result,
                                                                      cliquet_buffer* uuid);

/** The sender's phone number, if its certificate disclosed it (`*present`). */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_result_sender_e164(const cliquet_sealed_sender_result* result,
                                                                      int* present, cliquet_buffer* e164);

/** The sender's device id. */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_result_sender_device_id(const cliquet_sealed_sender_result* result,
                                                                           uint32_t* device_id);

/** The decrypted message (for a plaintext retry request: its body). */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_result_plaintext(const cliquet_sealed_sender_result* result,
                                                                    cliquet_buffer* plaintext);

/** Which cipher opened the message inside. */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_result_content_type(const cliquet_sealed_sender_result* result,
                                                                       cliquet_message_type* type);

/** The sender's content hint (values beyond ::cliquet_content_hint pass unchanged). */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_result_content_hint(const cliquet_sealed_sender_result* result,
                                                                       uint32_t* hint);

/** The group id, if the envelope named one (`*present`). */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_result_group_id(const cliquet_sealed_sender_result* result,
                                                                   int* present, cliquet_buffer* group_id);

/** For a ::CLIQUET_MESSAGE_PLAINTEXT message: the retry request it carried,
 *  as the bytes cliquet_retry_request_process() takes (`*present`). */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_result_retry_request(const cliquet_sealed_sender_result* result,
                                                                        int* present, cliquet_buffer* request);

/** Releases a result (the plaintext is wiped). NULL is accepted. */
CLIQUET_C_API void cliquet_sealed_sender_result_free(cliquet_sealed_sender_result* result);

/**
 * Why a sealed message that opened, from a sender whose certificate
 * validated, did not decrypt: who sent it and what, so that the application
 * can ask the sender for it again (cliquet_sealed_sender_failure_retry_request(),
 * sealed back with cliquet_sealed_sender_seal_v1()). Everything in it comes
 * from the validated certificate or the envelope its identity key sealed.
 *
 * Threads: immutable once made.
 */
typedef struct cliquet_sealed_sender_failure cliquet_sealed_sender_failure;

/**
 * cliquet_sealed_sender_decrypt(), and more when it fails after the envelope
 * opened and its certificate validated (the message inside did not decrypt:
 * a duplicate, a lost session, a pre-key no longer held): then `*failure`
 * describes it, and the status is the inner cipher's. On success, or a
 * failure before that point, `*failure` is NULL. `failure` must not be NULL.
 */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_decrypt_with_failure(
    cliquet_store* store, const uint8_t* sealed, size_t sealed_len, const uint8_t* trust_root, size_t trust_root_len,
    uint64_t now_ms, const char* local_uuid, const char* local_e164, uint32_t local_device_id,
    cliquet_pq_ratchet_policy policy, cliquet_sealed_sender_result** result, cliquet_sealed_sender_failure** failure);

/** The sender's ACI, as text. */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_failure_sender_uuid(const cliquet_sealed_sender_failure* failure,
                                                                       cliquet_buffer* uuid);

/** The sender's device id. */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_failure_sender_device_id(
    const cliquet_sealed_sender_failure* failure, uint32_t* device_id);

/** The sender's 33-byte identity key, as its certificate names it: what to
 *  seal a retry request to. */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_failure_sender_identity_key(
    const cliquet_sealed_sender_failure* failure, cliquet_buffer* identity_key);

/** The type of the message that did not decrypt. */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_failure_content_type(const cliquet_sealed_sender_failure* failure,
                                                                        cliquet_message_type* type);

/** What the sender asked of a recipient that cannot decrypt
 *  (::cliquet_content_hint; other values pass unchanged). */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_failure_content_hint(const cliquet_sealed_sender_failure* failure,
                                                                        uint32_t* hint);

/** The group id, if the envelope named one (`*present`). */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_failure_group_id(const cliquet_sealed_sender_failure* failure,
                                                                    int* present, cliquet_buffer* group_id);

/**
 * The retry request for the message that failed, sent at `sent_at_ms` (the
 * timestamp its delivery carried), as cliquet_retry_request_create() makes
 * it. A message too malformed to name its ratchet key is
 * ::CLIQUET_ERR_INVALID_MESSAGE.
 */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_failure_retry_request(const cliquet_sealed_sender_failure* failure,
                                                                         uint64_t sent_at_ms, cliquet_buffer* request);

/** Releases a failure. NULL is accepted. */
CLIQUET_C_API void cliquet_sealed_sender_failure_free(cliquet_sealed_sender_failure* failure);

/**
 * Seals `content` of `content_type` (version 1) to one recipient's 33-byte
 * identity key, with the sender's certificate (whose identity must be the
 * store's own), `hint` and `group_id` (optional, NULL); no session is used.
 * What a retry request travels in (::CLIQUET_MESSAGE_PLAINTEXT), since the
 * session may be what failed. The recipient opens it with
 * cliquet_sealed_sender_decrypt().
 */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_seal_v1(cliquet_store* store, const uint8_t* recipient_identity_key,
                                                           size_t recipient_identity_key_len,
                                                           cliquet_message_type content_type, const uint8_t* content,
                                                           size_t content_len, const uint8_t* sender_certificate,
                                                           size_t sender_certificate_len, cliquet_content_hint hint,
                                                           const uint8_t* group_id, size_t group_id_len,
                                                           cliquet_buffer* sealed);

/**
 * The server's side of sealed sender version 2: a parsed "sent" message, split
 * into each recipient account's "received" message. It holds no keys and
 * learns nothing of the sender or the content.
 *
 * Threads: immutable once made.
 */
typedef struct cliquet_sealed_sender_sent cliquet_sealed_sender_sent;

/** Parses a "sent" message; anything malformed is ::CLIQUET_ERR_INVALID_MESSAGE. */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_sent_parse(const uint8_t* sent, size_t sent_len,
                                                              cliquet_sealed_sender_sent** message);

/** How many recipient accounts it names. */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_sent_recipient_count(const cliquet_sealed_sender_sent* message,
                                                                        size_t* count);

/**
 * The recipient account at `index`: its service id (CLIQUET_SERVICE_ID_SIZE
 * bytes), its service id as text (an ACI's UUID, or "PNI:" and the UUID), and
 * how many devices it has.
 */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_sent_recipient(const cliquet_sealed_sender_sent* message,
                                                                  size_t index, cliquet_buffer* service_id,
                                                                  cliquet_buffer* service_id_text,
                                                                  size_t* device_count);

/** Device `device_index` of recipient `index`: its device and registration ids. */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_sent_recipient_device(const cliquet_sealed_sender_sent* message,
                                                                         size_t index, size_t device_index,
                                                                         uint32_t* device_id,
                                                                         uint32_t* registration_id);

/** The "received" message every device of recipient `index` gets. */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_sent_received_message(const cliquet_sealed_sender_sent* message,
                                                                         size_t index, cliquet_buffer* received);

/** How many accounts the sender deliberately excluded. */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_sent_excluded_count(const cliquet_sealed_sender_sent* message,
                                                                       size_t* count);

/** The excluded account at `index`, as a fixed-width service id. */
CLIQUET_C_API cliquet_status cliquet_sealed_sender_sent_excluded(const cliquet_sealed_sender_sent* message,
                                                                 size_t index, cliquet_buffer* service_id);

/** Releases a parsed message. NULL is accepted. */
CLIQUET_C_API void cliquet_sealed_sender_sent_free(cliquet_sealed_sender_sent* message);

/* ==== Sender keys (groups) ============================================= */

/** Size of a group's distribution id: a UUID. */
#define CLIQUET_DISTRIBUTION_ID_SIZE 16

/**
 * The distribution message this device (`sender_name`, `sender_device_id`)
 * sends every member of the group `distribution_id` (16 bytes) over their 1:1
 * sessions before its first group message: a secret. Creates the sender key
 * on first use.
 */
CLIQUET_C_API cliquet_status cliquet_sender_key_distribution_create(cliquet_store* store, const char* sender_name,
                                                                    uint32_t sender_device_id,
                                                                    const uint8_t* distribution_id,
                                                                    size_t distribution_id_len,
                                                                    cliquet_buffer* message);

/** Records a member's sender key from its distribution message. */
CLIQUET_C_API cliquet_status cliquet_sender_key_distribution_process(cliquet_store* store, const char* sender_name,
                                                                     uint32_t sender_device_id,
                                                                     const uint8_t* message, size_t message_len);

/**
 * Encrypts one message for the whole group with this device's sender key.
 * ::CLIQUET_ERR_NO_SESSION if it has none for `distribution_id`.
 */
CLIQUET_C_API cliquet_status cliquet_group_encrypt(cliquet_store* store, const char* sender_name,
                                                   uint32_t sender_device_id, const uint8_t* distribution_id,
                                                   size_t distribution_id_len, const uint8_t* plaintext,
                                                   size_t plaintext_len, cliquet_buffer* ciphertext);

/**
 * Decrypts a group message from a member. ::CLIQUET_ERR_INVALID_MESSAGE for
 * malformed bytes, ::CLIQUET_ERR_NO_SESSION without the member's sender key,
 * ::CLIQUET_ERR_INVALID_SIGNATURE for a forged one,
 * ::CLIQUET_ERR_DUPLICATE_MESSAGE for one already decrypted.
 */
CLIQUET_C_API cliquet_status cliquet_group_decrypt(cliquet_store* store, const char* sender_name,
                                                   uint32_t sender_device_id, const uint8_t* ciphertext,
                                                   size_t ciphertext_len, cliquet_buffer* plaintext);

/* ==== Safety numbers =================================================== */

/**
 * The safety number of two identities, as 60 digits and as a QR code's bytes.
 *
 * Threads: immutable once made.
 */
typedef struct cliquet_fingerprint cliquet_fingerprint;

/**
 * The safety number of our (`local_id`, 33-byte `local_key`) and their
 * (`remote_id`, `remote_key`): `version` 2 with ACIs (16 UUID bytes) as ids,
 * 1 with phone numbers; `iterations` 5200 in Signal's apps (2 to 1,000,000;
 * another count is ::CLIQUET_ERR_INVALID_ARGUMENT). A malformed key is
 * ::CLIQUET_ERR_INVALID_KEY.
 */
CLIQUET_C_API cliquet_status cliquet_fingerprint_new(uint32_t version, uint32_t iterations, const uint8_t* local_id,
                                                     size_t local_id_len, const uint8_t* local_key,
                                                     size_t local_key_len, const uint8_t* remote_id,
                                                     size_t remote_id_len, const uint8_t* remote_key,
                                                     size_t remote_key_len, cliquet_fingerprint** fingerprint);

/** The 60 digits both devices show (text). */
CLIQUET_C_API cliquet_status cliquet_fingerprint_displayable(const cliquet_fingerprint* fingerprint,
                                                             cliquet_buffer* digits);

/** The bytes to show as a QR code. */
CLIQUET_C_API cliquet_status cliquet_fingerprint_scannable(const cliquet_fingerprint* fingerprint,
                                                           cliquet_buffer* code);

/**
 * Compares the code scanned from the other device with ours: `*matches` 1 if
 * they show the same identities, 0 if not. A code of another version is
 * ::CLIQUET_ERR_INVALID_MESSAGE (the codes cannot be compared), and so are
 * malformed bytes.
 */
CLIQUET_C_API cliquet_status cliquet_fingerprint_compare(const cliquet_fingerprint* fingerprint,
                                                         const uint8_t* their_code, size_t their_code_len,
                                                         int* matches);

/** Releases a fingerprint. NULL is accepted. */
CLIQUET_C_API void cliquet_fingerprint_free(cliquet_fingerprint* fingerprint);

/* ==== Retry requests =================================================== */

/**
 * The retry request for a message this device failed to decrypt: `original`
 * of `type`, sent at `timestamp_ms` by device `sender_device_id`. The result
 * is a PlaintextContent, sent back to that device unencrypted (usually sealed,
 * as a ::CLIQUET_MESSAGE_PLAINTEXT content). A whisper or pre-key message too
 * malformed to name its ratchet key is ::CLIQUET_ERR_INVALID_MESSAGE; a
 * plaintext one, ::CLIQUET_ERR_INVALID_ARGUMENT.
 */
CLIQUET_C_API cliquet_status cliquet_retry_request_create(const uint8_t* original, size_t original_len,
                                                          cliquet_message_type type, uint64_t timestamp_ms,
                                                          uint32_t sender_device_id, cliquet_buffer* request);

/**
 * What a retry request says: when the failed message was sent, the device it
 * is for, and whether it was a 1:1 message (`*has_ratchet_key` 1) or a group
 * one (0). Malformed bytes are ::CLIQUET_ERR_INVALID_MESSAGE.
 */
CLIQUET_C_API cliquet_status cliquet_retry_request_parse(const uint8_t* request, size_t request_len,
                                                         uint64_t* timestamp_ms, uint32_t* device_id,
                                                         int* has_ratchet_key);

/** What the sender of a failed message should do about a retry request. */
typedef enum cliquet_retry_action CLIQUET_ENUM_BASE {
    /** For another device of this account: drop it. */
    CLIQUET_RETRY_NOT_FOR_THIS_DEVICE = 0,
    /** The session was archived: fetch a new bundle, start a session, resend. */
    CLIQUET_RETRY_SESSION_ARCHIVED = 1,
    /** The session has moved on: resend on it. */
    CLIQUET_RETRY_RESEND = 2,
    /** No session with the requester: fetch its bundle, start one, resend. */
    CLIQUET_RETRY_NO_SESSION = 3,
    /** A group message: resend the sender-key distribution message, then the message. */
    CLIQUET_RETRY_RESEND_SENDER_KEY = 4
} cliquet_retry_action;

/**
 * Acts on a retry request from `requester_name`.`requester_device_id` to this
 * device (`local_name`, `local_device_id`): archives the session with the
 * requester if the failed message was sent on its current state, and says
 * what to do next. Which message to resend is found by the request's
 * timestamp (cliquet_retry_request_parse()).
 */
CLIQUET_C_API cliquet_status cliquet_retry_request_process(cliquet_store* store, const char* local_name,
                                                           uint32_t local_device_id, const char* requester_name,
                                                           uint32_t requester_device_id, const uint8_t* request,
                                                           size_t request_len, cliquet_retry_action* action);

#ifdef __cplusplus
}
#endif

#endif /* CLIQUET_H */
