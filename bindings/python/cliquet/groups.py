"""Sender keys: one encryption for a whole group (a mixin of Store)."""

from ._native import call_bytes, check, data, lib, text

DISTRIBUTION_ID_SIZE = 16


class GroupStore:
    """Store's sender-key operations. A group is a 16-byte distribution id (a UUID's bytes)."""

    def create_sender_key_distribution(self, sender_name, sender_device_id, distribution_id):
        """The distribution message this device sends each member over their 1:1 sessions
        before its first group message (a secret). Creates the sender key on first use."""
        return call_bytes(lib.cliquet_sender_key_distribution_create, self._handle, text(sender_name),
                          sender_device_id, *data(distribution_id, "distribution id"))

    def process_sender_key_distribution(self, sender_name, sender_device_id, message):
        """Records a member's sender key from its distribution message."""
        check(lib.cliquet_sender_key_distribution_process(self._handle, text(sender_name), sender_device_id,
                                                          *data(message, "message")))

    def group_encrypt(self, sender_name, sender_device_id, distribution_id, plaintext):
        """One message for the whole group (NoSessionError without a sender key for it)."""
        return call_bytes(lib.cliquet_group_encrypt, self._handle, text(sender_name), sender_device_id,
                          *data(distribution_id, "distribution id"), *data(plaintext, "plaintext"))

    def group_decrypt(self, sender_name, sender_device_id, ciphertext):
        """The plaintext of a member's group message."""
        return call_bytes(lib.cliquet_group_decrypt, self._handle, text(sender_name), sender_device_id,
                          *data(ciphertext, "message"))
