// The server's fan-out of sealed sender version 2: sealed_fanout.hpp.
#include <cliquet/sealed_fanout.hpp>

#include "capi/boundary.hpp"
#include "capi/handles.hpp"

using namespace cliquet;
using namespace cliquet::capi;

namespace {

const SealedSenderV2SentMessage& sent_in(const cliquet_sealed_sender_sent* message) {
    return require(message, "message")->message;
}

}  // namespace

extern "C" {

cliquet_status cliquet_sealed_sender_sent_parse(const uint8_t* sent, size_t sent_len,
                                                cliquet_sealed_sender_sent** message) {
    return guarded([&] {
        handle_out(message, "message");
        *message = new cliquet_sealed_sender_sent{SealedSenderV2SentMessage::parse(bytes_in(sent, sent_len, "sent"))};
    });
}

cliquet_status cliquet_sealed_sender_sent_recipient_count(const cliquet_sealed_sender_sent* message, size_t* count) {
    return guarded([&] { value_out(count, "count") = sent_in(message).recipients().size(); });
}

cliquet_status cliquet_sealed_sender_sent_recipient(const cliquet_sealed_sender_sent* message, size_t index,
                                                    cliquet_buffer* service_id, cliquet_buffer* service_id_text,
                                                    size_t* device_count) {
    return guarded([&] {
        buffer_out(service_id, "service_id");
        buffer_out(service_id_text, "service_id_text");
        value_out(device_count, "device_count") = 0;
        const auto& recipient = element_at(sent_in(message).recipients(), index);
        fill(service_id, recipient.service_id.fixed_width());
        try {
            fill_text(service_id_text, recipient.service_id.to_string());
        } catch (...) {
            cliquet_buffer_free(service_id);
            throw;
        }
        *device_count = recipient.devices.size();
    });
}

cliquet_status cliquet_sealed_sender_sent_recipient_device(const cliquet_sealed_sender_sent* message, size_t index,
                                                           size_t device_index, uint32_t* device_id,
                                                           uint32_t* registration_id) {
    return guarded([&] {
        require(device_id, "device_id");
        require(registration_id, "registration_id");
        const auto& device = element_at(element_at(sent_in(message).recipients(), index).devices, device_index);
        *device_id = device.device_id;
        *registration_id = device.registration_id;
    });
}

cliquet_status cliquet_sealed_sender_sent_received_message(const cliquet_sealed_sender_sent* message, size_t index,
                                                           cliquet_buffer* received) {
    return guarded([&] {
        buffer_out(received, "received");
        const auto& sent = sent_in(message);
        fill(received, sent.received_message(element_at(sent.recipients(), index)));
    });
}

cliquet_status cliquet_sealed_sender_sent_excluded_count(const cliquet_sealed_sender_sent* message, size_t* count) {
    return guarded([&] { value_out(count, "count") = sent_in(message).excluded().size(); });
}

cliquet_status cliquet_sealed_sender_sent_excluded(const cliquet_sealed_sender_sent* message, size_t index,
                                                   cliquet_buffer* service_id) {
    return guarded([&] {
        buffer_out(service_id, "service_id");
        fill(service_id, element_at(sent_in(message).excluded(), index).fixed_width());
    });
}

void cliquet_sealed_sender_sent_free(cliquet_sealed_sender_sent* message) { delete message; }

}  // extern "C"
