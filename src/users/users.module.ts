import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountDataOwners } from './account-data-owners.js';
import { PasswordHasher } from './password/password-hasher.js';
import { UserEntity } from './user.entity.js';
import { UsersService } from './users.service.js';

/** The accounts themselves (`users`): identity, status, password. Registration, login and account changes go through it. */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity])],
  providers: [UsersService, PasswordHasher, AccountDataOwners],
  exports: [UsersService, AccountDataOwners],
})
export class UsersModule {}
