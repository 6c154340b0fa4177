#!/bin/sh
# AWS (ALB/NLB target group): health checks on plight's port, healthy only on 200. Only 200 counts, so 404
# (disabled) and 503 (offline) both take the target out; the target then drains for the deregistration delay.
aws elbv2 modify-target-group \
    --target-group-arn "$TARGET_GROUP_ARN" \
    --health-check-protocol HTTP \
    --health-check-port 10101 \
    --health-check-path / \
    --health-check-interval-seconds 5 \
    --healthy-threshold-count 2 \
    --unhealthy-threshold-count 2 \
    --matcher HttpCode=200
