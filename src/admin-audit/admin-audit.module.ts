import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminAuditEntryEntity } from './admin-audit-entry.entity.js';
import { AdminAudit } from './admin-audit.service.js';

/** The operators' audit log (`admin_audit`): every change made through the admin API. */
@Module({
  imports: [TypeOrmModule.forFeature([AdminAuditEntryEntity])],
  providers: [AdminAudit],
  exports: [AdminAudit],
})
export class AdminAuditModule {}
