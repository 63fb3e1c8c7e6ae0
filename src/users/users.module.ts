import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module.js';
import { MailModule } from '../mail/mail.module.js';
import { UserEntity } from './user.entity.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';
import { ValidationCodeEntity } from './validation-code.entity.js';
import { ValidationCodesController } from './validation-codes.controller.js';
import { ValidationCodesService } from './validation-codes.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, ValidationCodeEntity]), AuthModule, MailModule],
  controllers: [UsersController, ValidationCodesController],
  providers: [UsersService, ValidationCodesService],
  exports: [ValidationCodesService],
})
export class UsersModule {}
