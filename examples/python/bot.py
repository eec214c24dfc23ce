#!/usr/bin/env python3
"""An echo bot over sealed sender: two devices in one process, a user and a bot, talking
through a toy server that delivers sealed envelopes and never learns who sent them.

Run it from a checkout after building the library:
    CLIQUET_LIBRARY=build/release/libcliquet.so.0 PYTHONPATH=bindings/python python3 examples/python/bot.py
"""

import collections
import sys
import time

import cliquet

USER = "9d0652a3-dcc3-4d11-975f-74d61598733f"
BOT = "796abedb-ca4e-4f18-8803-1fde5b921f9f"
DAY_MS = 86_400_000


class Server:
    """Publishes pre-key bundles, signs sender certificates, and holds each device's mailbox."""

    def __init__(self):
        self.trust_root = cliquet.generate_key_pair()  # its public half ships with every client
        self.key = cliquet.generate_key_pair()
        self.certificate = cliquet.server_certificate(1, self.key.public_key, self.trust_root.private_key)
        self.bundles = {}
        self.mailboxes = collections.defaultdict(collections.deque)

    def publish(self, address, identity, upload):
        self.bundles[address] = upload.bundle(identity.registration_id, address[1], identity.public_key)

    def sender_certificate(self, address, identity, now_ms):
        return cliquet.sender_certificate(address[0], address[1], identity.public_key, now_ms + DAY_MS,
                                          self.certificate, self.key.private_key)

    def deliver(self, address, sealed):
        self.mailboxes[address].append(sealed)  # the envelope says whom it is for, not whom from


class Device:
    """A device: an identity, an in-memory store, its published pre-keys and a sender certificate."""

    def __init__(self, server, name, device_id=1):
        self.server, self.address = server, (name, device_id)
        self.identity = cliquet.Identity.generate()
        self.store = cliquet.Store.memory(self.identity)
        with self.store.pre_key_manager() as keys, keys.run_schedule() as upload:
            server.publish(self.address, self.identity, upload)
        self.now_ms = int(time.time() * 1000)
        self.certificate = server.sender_certificate(self.address, self.identity, self.now_ms)

    def send(self, to, text):
        if self.store.session_version(*to) == 0:
            with self.server.bundles[to] as bundle:  # a first message: start a session from the bundle
                self.store.process_pre_key_bundle(*to, bundle)
        self.server.deliver(to, self.store.sealed_encrypt(*to, self.certificate, text.encode()))

    def receive(self):
        """Every message waiting in the mailbox, opened: (sender's address, text)."""
        mailbox = self.server.mailboxes[self.address]
        while mailbox:
            opened = self.store.sealed_decrypt(mailbox.popleft(), self.server.trust_root.public_key, self.now_ms,
                                               *self.address)
            yield (opened.sender_uuid, opened.sender_device_id), opened.plaintext.decode()

    def close(self):
        self.store.close()
        self.identity.close()


def main():
    server = Server()
    user, bot = Device(server, USER), Device(server, BOT)
    try:
        for text in ("hello, bot", "what is a ratchet?", "bye"):
            user.send(bot.address, text)
            for sender, received in bot.receive():  # the bot echoes whatever reaches it
                bot.send(sender, f"echo: {received}")
            replies = list(user.receive())
            print(f"user -> bot: {text}")
            for sender, reply in replies:
                print(f"bot -> user: {reply}")
            if replies != [(bot.address, f"echo: {text}")]:
                print(f"unexpected replies: {replies}", file=sys.stderr)
                return 1
        version = user.store.session_version(*bot.address)
        print(f"(sealed sender over a version {version} session: PQXDH with SPQR)")
        return 0 if version == 4 else 1
    finally:
        bot.close()
        user.close()


if __name__ == "__main__":
    sys.exit(main())
