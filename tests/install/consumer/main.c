/* Uses an installed cliquet from C99: makes two identities and their safety
 * number from each side, which must agree. Enough to prove that cliquet.h
 * and the library are found and link from C. */
#include <cliquet.h>

#include <stdio.h>
#include <string.h>

int main(void) {
    cliquet_identity *ours = NULL, *theirs = NULL;
    cliquet_buffer our_key = {NULL, 0}, their_key = {NULL, 0}, mine = {NULL, 0}, yours = {NULL, 0};
    cliquet_fingerprint *from_us = NULL, *from_them = NULL;
    const uint8_t our_id[] = "+14155550100", their_id[] = "+14155550111";
    int same = 0;
    if (cliquet_identity_generate(&ours) == CLIQUET_OK && cliquet_identity_generate(&theirs) == CLIQUET_OK &&
        cliquet_identity_public_key(ours, &our_key) == CLIQUET_OK &&
        cliquet_identity_public_key(theirs, &their_key) == CLIQUET_OK &&
        cliquet_fingerprint_new(1, 5200, our_id, sizeof our_id - 1, our_key.data, our_key.len, their_id,
                                sizeof their_id - 1, their_key.data, their_key.len, &from_us) == CLIQUET_OK &&
        cliquet_fingerprint_new(1, 5200, their_id, sizeof their_id - 1, their_key.data, their_key.len, our_id,
                                sizeof our_id - 1, our_key.data, our_key.len, &from_them) == CLIQUET_OK &&
        cliquet_fingerprint_displayable(from_us, &mine) == CLIQUET_OK &&
        cliquet_fingerprint_displayable(from_them, &yours) == CLIQUET_OK)
        same = mine.len == 60 && yours.len == 60 && memcmp(mine.data, yours.data, 60) == 0;
    printf("cliquet C consumer (%s): safety numbers %s\n", cliquet_version(), same ? "agree" : "DO NOT AGREE");
    cliquet_buffer_free(&mine);
    cliquet_buffer_free(&yours);
    cliquet_fingerprint_free(from_us);
    cliquet_fingerprint_free(from_them);
    cliquet_buffer_free(&our_key);
    cliquet_buffer_free(&their_key);
    cliquet_identity_free(ours);
    cliquet_identity_free(theirs);
    return same ? 0 : 1;
}
