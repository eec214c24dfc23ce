#!/usr/bin/env python3
"""Brings a cliquet vector file to format version 2, in place.

The last step of every generator (generate/*.js call it on what they write;
for a file made by `cliquet-vectors generate` alone, run it on the file). It
is deterministic and idempotent: a file already in version 2 comes out
unchanged. What it does, as test_vectors/README.md ("Format version 2")
states the rules:

- field names are camelCase;
- `formatVersion` is 2, `category` is set, `schema` names the category's
  JSON Schema, tcIds run from 1 through the whole file;
- every invalid case names its `error` (cliquet's code), from the table
  below when the generator did not give it;
- a policy case (small-order X25519 keys; the XEdDSA inputs cliquet refuses
  and libsignal accepts) has the verdict `acceptable`, with its `error`;
- a group states `keySize` only when every key in it has that size;
- UUIDs are strings (8-4-4-4-12 lowercase hex);
- a session transcript holding refusals is split into one invalid test per
  refusal (the events before it, without other refusals, then it) and, when
  no device's randomness is recorded, a valid test without the refusals.

usage: format_v2.py FILE...
"""
import json
import sys

RENAMES = {
    'public_key': 'publicKey', 'private_key': 'privateKey',
    'key_id': 'keyId', 'server_private': 'serverPrivate', 'server_random': 'serverRandom',
    'server_certificate': 'serverCertificate', 'server_key': 'serverKey',
    'trust_root': 'trustRoot', 'trust_root_private': 'trustRootPrivate',
    'sender_uuid': 'senderUuid', 'sender_e164': 'senderE164', 'sender_device_id': 'senderDeviceId',
    'sender_identity_key': 'senderIdentityKey', 'sender_random': 'senderRandom',
    'sender_identity_private': 'senderIdentityPrivate', 'recipient_identity_private': 'recipientIdentityPrivate',
    'ephemeral_random': 'ephemeralRandom',
    'service_id': 'serviceId', 'identity_key': 'identityKey', 'device_id': 'deviceId',
    'registration_id': 'registrationId', 'device_ids': 'deviceIds', 'registration_ids': 'registrationIds',
}

PROVENANCE = {'Cliquet', 'Libsignal', 'LibsignalNode', 'NodeCrypto', 'Libsignal072', 'Libsignal090',
              'Rfc7748', 'Rfc4231', 'Rfc5869', 'Rfc8452', 'Nist80038a'}

# (category, flag) -> the error cliquet refuses such a case with. A case's
# flags must agree on one error.
ERRORS = {
    'aes_256_cbc': {'BadPadding': 'invalid_message', 'WrongLength': 'invalid_message'},
    'aes_256_ctr': {'WrongKeySize': 'invalid_key', 'WrongIvSize': 'invalid_argument'},
    'aes_256_gcm_siv': {f: 'invalid_message' for f in
                        ('ModifiedTag', 'ModifiedCiphertext', 'WrongAad', 'WrongNonce', 'Truncated')},
    'certificates': {f: 'invalid_certificate' for f in
                     ('ForeignTrustRoot', 'RevokedKeyId', 'BitFlip', 'MalformedCertificate', 'Expired',
                      'BadSignature', 'UnknownSigner')},
    'fingerprint': {'IterationCount': 'invalid_argument', 'VersionMismatch': 'invalid_message',
                    'Malformed': 'invalid_message'},
    'hkdf_sha256': {'SizeTooLarge': 'invalid_argument', 'SizeOverflow': 'invalid_argument'},
    'hmac_sha256': {f: 'invalid_message' for f in ('ModifiedTag', 'TruncatedTag', 'WrongKey')},
    'sealed_sender_v1': dict({f: 'invalid_message' for f in
                              ('BitFlip', 'MalformedContent', 'SenderKeyMismatch', 'Truncated', 'UnknownVersion',
                               'WrongRecipient')},
                             **{f: 'invalid_certificate' for f in
                                ('Expired', 'ForeignTrustRoot', 'MalformedCertificate')}),
    'sealed_sender_v2': dict({f: 'invalid_message' for f in
                              ('BitFlip', 'SenderKeyMismatch', 'Truncated', 'UnknownVersion', 'WrongRecipient',
                               'BadCount', 'BadDeviceId', 'BadServiceId', 'RedundantRecipient', 'SmallOrderKey')},
                             **{f: 'invalid_certificate' for f in
                                ('Expired', 'ForeignTrustRoot', 'MalformedCertificate')}),
    'sender_keys': {'Malformed': 'storage'},
    'spqr': {'BadSize': 'invalid_argument', 'TooFewChunks': 'invalid_message',
             **{f: 'invalid_message' for f in
                ('WrongVersion', 'EpochZero', 'IndexTooLarge', 'UnknownType', 'Truncated', 'ChunkIndexTooLarge')}},
    'x25519': {'SmallOrderPublic': 'invalid_key'},
    'xeddsa': {'WrongKeyType': 'invalid_key', 'WrongKeyLength': 'invalid_key',
               **{f: 'invalid_signature' for f in
                  ('BitFlip', 'WrongKey', 'WrongMessage', 'WrongSignatureLength', 'NonCanonicalS', 'SmallOrderKey')}},
}

# Flags that make a case a matter of policy: the verdict is acceptable.
POLICY_FLAGS = {'x25519': {'SmallOrderPublic'}, 'xeddsa': {'StricterThanLibsignal'}}

UUID_FIELDS = {'sender_keys': {'distributionId'}}

# X25519 public keys are libsignal's 33-byte form (05 || u) everywhere.
TYPED_X25519_FIELDS = {'x25519': {'public'}}


def rename(value):
    if isinstance(value, dict):
        return {RENAMES.get(k, k): rename(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rename(v) for v in value]
    return value


def uuid_string(text):
    if len(text) != 32:
        return text  # already a string UUID, or not one at all: left for the schema to refuse
    return f'{text[0:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:32]}'


def error_of(category, test):
    table = ERRORS.get(category, {})
    errors = {table[f] for f in test.get('flags', []) if f in table}
    if len(errors) != 1:
        raise SystemExit(f'{category} tcId {test.get("tcId")}: flags {test.get("flags")} name '
                         f'{sorted(errors) or "no error"}; extend ERRORS')
    return errors.pop()


def split_transcript(test):
    """A transcript with refusals -> [valid test without them] + [one invalid test per refusal]."""
    events = test['events']
    refusals = [i for i, e in enumerate(events) if 'error' in e]
    if 'error' in test and refusals == [len(events) - 1]:
        return [test]  # already one refusal at the end: version 2
    if not refusals:
        test['result'] = 'valid'
        return [test]
    plain = [e for e in events if 'error' not in e]
    base = {k: v for k, v in test.items() if k not in ('events', 'result', 'tcId', 'error')}
    flags = [f for f in test.get('flags', []) if f != 'Refusals']
    # The events without the refusals make a valid test only when no device's
    # randomness is recorded: a refusal may draw (a ratchet key made before
    # the MAC fails, then dropped), so a recorded stream would no longer fit.
    recorded = any(k.endswith('Random') for k in test)
    out = [] if recorded else [dict(base, flags=flags, events=plain, result='valid')]
    for i in refusals:
        prefix = [e for e in events[:i] if 'error' not in e]
        refusal = events[i]
        out.append(dict(base, comment=f'{test["comment"]}: refusal after {len(prefix)} events ({refusal["error"]})',
                        flags=flags + ['Refusal'], events=prefix + [refusal], result='invalid',
                        error=refusal['error']))
    return out


def convert(document, path):
    doc = rename(document)
    category = doc.get('category') or ('kem' if doc.get('algorithm') == 'KEM' else None)
    if category is None:
        raise SystemExit(f'{path}: no category')
    doc['category'] = category
    doc['formatVersion'] = 2
    doc['schema'] = f'schema/{category}.schema.json'
    notes = doc.get('notes', {})
    if 'Refusals' in notes:  # the flag of a transcript holding refusals, now split
        del notes['Refusals']
        notes['Refusal'] = ('the last event is an altered or replayed message, refused with the test\'s error, '
                            'stores unchanged')
    for group in doc['testGroups']:
        if group.get('type') == 'SessionTranscriptTest':
            tests = []
            for test in group['tests']:
                tests.extend(split_transcript(test) if test.get('result') == 'invalid' or 'events' in test
                             else [test])
            group['tests'] = tests
        for test in group['tests']:
            for field in UUID_FIELDS.get(category, ()):
                if field in test:
                    test[field] = uuid_string(test[field])
            for field in TYPED_X25519_FIELDS.get(category, ()):
                if field in test and len(test[field]) == 64:
                    test[field] = '05' + test[field]
            policy = POLICY_FLAGS.get(category, set()) & set(test.get('flags', []))
            if test.get('result') in ('invalid', 'acceptable') and 'error' not in test:
                test['error'] = error_of(category, test)
            if policy and test.get('result') == 'invalid':
                test['result'] = 'acceptable'
        if 'keySize' in group:
            sizes = {len(t['key']) * 4 for t in group['tests'] if 'key' in t}
            if sizes != {group['keySize']}:
                del group['keySize']
    number = 0
    for group in doc['testGroups']:
        for test in group['tests']:
            number += 1
            test['tcId'] = number
    doc['numberOfTests'] = number
    first = ['category', 'formatVersion', 'algorithm', 'schema', 'generatorVersion', 'numberOfTests']
    return {**{k: doc[k] for k in first if k in doc}, **{k: v for k, v in doc.items() if k not in first}}


def main(paths):
    for path in paths:
        with open(path, encoding='utf-8') as f:
            document = json.load(f)
        converted = convert(document, path)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(json.dumps(converted, indent=2, ensure_ascii=False) + '\n')


if __name__ == '__main__':
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    main(sys.argv[1:])
