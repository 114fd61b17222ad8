package dev.libsqlplatform.controlplane.database;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Reference §4.4 {@code GET/PATCH .../databases/{db}/configuration}. {@code size_limit} is in bytes ("0" = the plan's storage). */
public record DatabaseConfiguration(@JsonProperty("size_limit") String sizeLimit,
                                    @JsonProperty("allow_attach") boolean allowAttach,
                                    @JsonProperty("block_reads") boolean blockReads,
                                    @JsonProperty("block_writes") boolean blockWrites,
                                    @JsonProperty("delete_protection") boolean deleteProtection,
                                    @JsonProperty("allowed_ips") List<String> allowedIps,
                                    @JsonProperty("allowed_aws_vpc_ids") List<String> allowedAwsVpcIds) {
}
