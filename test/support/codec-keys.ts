/**
 * The payload encryption keys of the test suite: a TEST-ONLY key, committed on purpose so that the
 * recorded replay histories (encrypted with it) stay replayable. Never use it anywhere else.
 */
export const TEST_CODEC_KEYS = 'test-2026:dGVzdC1vbmx5LWtleS1mb3ItY3V3by1yZXBsYXktMjY=';

/** The processing-data seal key of the test suite: TEST-ONLY, committed like the codec key above. */
export const TEST_SEAL_KEYS = 'test-seal-2026:dGVzdC1vbmx5LXNlYWwta2V5LWZvci1jdXdvLTIwMjY=';
