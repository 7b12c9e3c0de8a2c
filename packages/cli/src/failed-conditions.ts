// Gateway API conditions that report a problem, whatever their polarity: xds's own rule, so the CLI,
// `gatehouse validate` and the admin API's /status agree.
import { ABNORMAL_TRUE, problemConditions } from '@gatehouse/xds/core';

/** Conditions where True is the problem (PartiallyInvalid, Conflicted, Degraded). */
export const NEGATIVE_POLARITY = ABNORMAL_TRUE;

export const failedConditions = problemConditions;
